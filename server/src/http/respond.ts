/** A ts-rest success result in our envelope: `{code: 200, message, data}`. */
export function ok<T>(data: T, message: string) {
  return { status: 200 as const, body: { code: 200 as const, message, data } };
}

/** The envelope for an error status, as plain JSON (used outside ts-rest handlers). */
export function errorBody(code: number, message: string, data: unknown = null) {
  return { code, message, data };
}
