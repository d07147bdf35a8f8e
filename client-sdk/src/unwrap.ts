import { ApiError } from './errors.js';

type Answer = { status: number; body: unknown; headers: Headers };
type SuccessData<A> = Extract<A, { status: 200 }> extends { body: { data: infer D } } ? D : never;

/** A ts-rest answer → the `data` of its success envelope, or the ApiError for its status. */
export async function unwrap<A extends Answer>(answer: Promise<A>): Promise<SuccessData<A>> {
  const { status, body, headers } = await answer;
  if (status === 200) return (body as { data: SuccessData<A> }).data;
  throw ApiError.generate(status, body, headers);
}
