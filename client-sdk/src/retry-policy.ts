import { type ApiConnectionError, ApiTimeoutError } from './errors.js';

/**
 * Methods that do nothing more when repeated. Of the API's, GET reads, and DELETE is a soft delete
 * by id: done twice, the second answers 404. POST and PATCH are not: a POST may have reached the
 * model (a chat call costs tokens and stores a reply) or created something (an account, a message).
 */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE']);

/**
 * Connection failures that happen before a byte of the request is sent (no connection was made),
 * so that any request can be sent again. A reset or a closed socket (ECONNRESET, UND_ERR_SOCKET) is
 * not one: the server may have read the request and be acting on it.
 */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

const NUMBER = /^\d+(\.\d+)?$/;

/** After these the backoff stops growing: 0.5 s, 1 s, 2 s, 4 s, 8 s, 8 s… */
const FIRST_BACKOFF_MS = 500;
const LONGEST_BACKOFF_MS = 8_000;

/**
 * Whether an answer with this status may be retried:
 * - 429 and 408, for any method: the request was turned away before any work was done (our rate
 *   limits run before the handler; DashScope's 429 is answered before the model runs, nothing is
 *   stored, and the retry only adds an api_calls row; Node answers 408 to a request it never got
 *   whole);
 * - 502, 503, 504 only for GET and DELETE: a proxy's or the server's failure after the request may
 *   have been acted on (a chat call's 503 can come after the model ran).
 */
export function mayRetryStatus(method: string, status: number): boolean {
  if (status === 429 || status === 408) return true;
  return (status === 502 || status === 503 || status === 504) && IDEMPOTENT.has(method);
}

/** Whether a request that got no answer may be sent again: any that was never sent, else GET and DELETE. */
export function mayRetryConnection(method: string, error: ApiConnectionError): boolean {
  if (IDEMPOTENT.has(method)) return true;
  return !(error instanceof ApiTimeoutError) && error.code !== null && NOT_SENT.has(error.code);
}

/**
 * The wait (ms) the server asked for: `retry-after-ms` (not standard, but some gateways send it),
 * else Retry-After in seconds or as an HTTP date (one already past is no wait). Undefined when it
 * asked for none, or in no form read here.
 */
export function askedWait(headers: Headers): number | undefined {
  const ms = headers.get('retry-after-ms')?.trim();
  if (ms && NUMBER.test(ms)) return Number(ms);
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (NUMBER.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * The wait before retry number `retry` (0 for the first), or undefined for none. The server's own
 * ask wins, if it is no longer than `maxDelay`: asked for longer (our login limit says 15 min,
 * registration up to an hour), a retry sooner is bound to be refused again, so there is none, and
 * the caller gets the 429 with its Retry-After. Otherwise exponential backoff, with up to a quarter
 * taken off at random so that clients failed by one outage do not all come back at once.
 */
export function retryDelay(retry: number, headers: Headers | undefined, maxDelay: number): number | undefined {
  const asked = headers && askedWait(headers);
  if (asked !== undefined) return asked <= maxDelay ? asked : undefined;
  const backoff = Math.min(FIRST_BACKOFF_MS * 2 ** retry, LONGEST_BACKOFF_MS);
  return Math.min(backoff * (1 - Math.random() * 0.25), maxDelay);
}

/** Waits `ms`, or rejects with the signal's reason as soon as it fires. */
export function sleep(ms: number, signal?: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const abort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', abort, { once: true });
  });
}
