import { ApiError } from './errors.js';

type Answer = { status: number; body: unknown; headers: Headers };
type SuccessData<A> = Extract<A, { status: 200 }> extends { body: { data: infer D } } ? D : never;

/**
 * A ts-rest answer → the `data` of its success envelope, or the ApiError for its status. A 200
 * that is not our envelope (a dev server's HTML page at the API's URL, say) is an ApiError too,
 * not an `undefined` handed on as data.
 */
export async function unwrap<A extends Answer>(answer: Promise<A>): Promise<SuccessData<A>> {
  const { status, body, headers } = await answer;
  if (status === 200 && isSuccessEnvelope(body)) return body.data as SuccessData<A>;
  throw ApiError.generate(status, body, headers);
}

function isSuccessEnvelope(body: unknown): body is { data: unknown } {
  return typeof body === 'object' && body !== null && (body as { code?: unknown }).code === 200 && 'data' in body;
}
