/**
 * Retries `check` (an assertion) until it passes or `timeoutMs` runs out, then fails with its last
 * error. For effects the app finishes after answering, such as the `api_calls` row it writes once
 * the response has closed.
 */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
