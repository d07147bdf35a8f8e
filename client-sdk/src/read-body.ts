/** A response body as ts-rest expects it: parsed JSON when the server says JSON, else text. */
export async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!/\bjson\b/.test(response.headers.get('content-type') ?? '')) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
