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

/**
 * z.union of an array schema and a string schema that hands each value to the member its type
 * names. zod's union tries every member in turn, and a failed try builds an issue with its
 * message: on a chat history whose messages are strings, that was most of the body's validation
 * time. A value of neither type is left to the union, for its usual error. The inferred type and
 * the document are the union's; only parsing differs.
 */
export class ArrayOrString<A extends z.ZodTypeAny, S extends z.ZodTypeAny> extends z.ZodUnion<[A, S]> {
  static of<A extends z.ZodTypeAny, S extends z.ZodTypeAny>(array: A, string: S): ArrayOrString<A, S> {
    return new ArrayOrString({ options: [array, string], typeName: z.ZodFirstPartyTypeKind.ZodUnion });
  }

  override _parse(input: z.ParseInput): z.ParseReturnType<this['_output']> {
    const [array, string] = this._def.options;
    if (Array.isArray(input.data)) return array._parse(input);
    if (typeof input.data === 'string') return string._parse(input);
    return super._parse(input);
  }
}

export const Timestamp = z.string().datetime().describe('ISO 8601 UTC 时间，以 Z 结尾');

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
export function withoutNul<T extends z.ZodType<string>>(schema: T) {
  return schema.refine((value) => !value.includes('\u0000'), '不能包含空字符 U+0000');
}

export const ModelName = withoutNul(z.string().min(1).max(100));

/** How many characters (code points) `text` holds: a surrogate pair, one character, counts once. */
function characterCount(text: string): number {
  let pairs = 0;
  for (let i = 0; i < text.length - 1; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        pairs++;
        i++;
      }
    }
  }
  return text.length - pairs;
}

/**
 * A string of `min`–`max` characters, counted as a person counts them and as JSON Schema's
 * minLength/maxLength do: by code point. zod's .min/.max count UTF-16 units, in which an emoji or a
 * CJK Extension B character is two, so four emoji passed for an 8-character password and 150 emoji
 * failed a 200-character title. `base` is the string schema to start from (e.g. one that trims); it
 * is marked for the docs in place, so pass a fresh one. Limits on ASCII-only values (model names,
 * emails, logins) stay plain .max(): there a unit is a character.
 */
export function characters(min: number, max: number, messages: { min?: string; max?: string } = {}, base = z.string()) {
  // @ts-rest/open-api documents a schema's `metaOpenApi` (as @anatine/zod-openapi's extendApi sets it).
  const documented = Object.assign(base, { metaOpenApi: { minLength: min, maxLength: max } });
  return documented.superRefine((text, ctx) => {
    // A string has at most as many characters as UTF-16 units and at least half as many: count
    // only where the two could disagree about a bound.
    if (text.length <= max && text.length >= 2 * min) return;
    const count = characterCount(text);
    if (count < min) ctx.addIssue({ code: z.ZodIssueCode.too_small, minimum: min, inclusive: true, type: 'string', message: messages.min ?? `至少 ${min} 个字符` });
    if (count > max) ctx.addIssue({ code: z.ZodIssueCode.too_big, maximum: max, inclusive: true, type: 'string', message: messages.max ?? `最多 ${max} 个字符` });
  });
}
