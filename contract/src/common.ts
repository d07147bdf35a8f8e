import { z } from 'zod';

/**
 * A whole number as a path or query string carries it: decimal digits only. z.coerce's `Number()`
 * would also take `0x1f`, `1e3`, `0b1`, `+1`, `1.` and ` 1`, so `/api/messages/0x3E` would reach
 * message 62. Numbers (as the typed client passes them) are checked as they are; the input type
 * stays `number` for the client, which never sends anything else.
 */
function decimal(schema: z.ZodNumber) {
  const fromDigits = (value: unknown) => (typeof value === 'string' ? (/^\d+$/.test(value) ? Number(value) : Number.NaN) : value);
  return z.preprocess(fromDigits, schema) as z.ZodEffects<z.ZodNumber, number, number>;
}

/** Integer ids arrive as path strings; anything but a positive decimal integer is a 400. */
export const IdParam = decimal(z.number().int().positive().max(Number.MAX_SAFE_INTEGER));

export const Timestamp = z.string().describe('ISO 8601 UTC 时间，以 Z 结尾');

export function pageQuery(defaultLimit: number) {
  return {
    page: decimal(z.number().int().min(1).max(1_000_000_000)).default(1).describe('页码，默认为1'),
    limit: decimal(z.number().int().min(1).max(100))
      .default(defaultLimit)
      .describe(`每页数量，默认为${defaultLimit}，最大100`),
  };
}

export const PaginationSchema = z.object({
  current_page: z.number().int(),
  per_page: z.number().int(),
  total: z.number().int(),
  total_pages: z.number().int(),
});
export type Pagination = z.infer<typeof PaginationSchema>;

/** `YYYY-MM-DD` that names a real calendar day (2024-02-29 yes, 2023-02-29 no). */
export const DateString = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
  }, '日期无效');

/**
 * PostgreSQL text cannot hold U+0000 (the query fails), so a string that is stored or looked up
 * as it is must not contain it: a 400 here rather than a 500 there.
 */
export function withoutNul<T extends z.ZodString>(schema: T) {
  return schema.refine((value) => !value.includes('\u0000'), '不能包含空字符 U+0000');
}

export const ModelName = withoutNul(z.string().min(1).max(100));
