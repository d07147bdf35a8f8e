import { ApiConnectionError, ApiTimeoutError } from './errors.js';

/**
 * One request under a timer of `timeout` ms, which runs until `read` is done with the answer: for
 * a JSON answer that is the whole body, so a server that sends its headers and then stalls times
 * out too; `read` returning the response itself (a stream) stops the timer at the headers.
 *
 * The timer aborts the request beside the caller's signal, and the failure says which fired: the
 * caller's abort is rethrown as it came (the signal's reason, an AbortError unless they gave one),
 * the timer's is an ApiTimeoutError, and anything else fetch or the body read throws (its bare
 * `TypeError: fetch failed` or `terminated`) an ApiConnectionError.
 */
export async function attempt<T>(
  fetchImpl: typeof fetch,
  url: string,
  init: RequestInit,
  timeout: number,
  read: (response: Response) => Promise<T>,
): Promise<T> {
  const timer = new AbortController();
  const clock = setTimeout(() => timer.abort(), timeout);
  const caller = init.signal ?? undefined;
  const signal = caller ? AbortSignal.any([caller, timer.signal]) : timer.signal;
  try {
    return await read(await fetchImpl(url, { ...init, signal }));
  } catch (error) {
    if (caller?.aborted) throw error;
    if (timer.signal.aborted) throw new ApiTimeoutError(timeout, { cause: error });
    throw ApiConnectionError.of(error);
  } finally {
    clearTimeout(clock);
  }
}
