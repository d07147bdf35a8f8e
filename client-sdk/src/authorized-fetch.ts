import { attempt } from './attempt.js';
import { ApiConnectionError } from './errors.js';
import { mayRetryConnection, mayRetryStatus, retryDelay, sleep } from './retry-policy.js';
import type { TokenSession } from './token-session.js';

/** How one call is sent: whether it goes without a token, and its own limits over the client's. */
export interface SendOptions {
  isPublic: boolean;
  /** ms per attempt; the client's when left out. */
  timeout?: number | undefined;
  /** Retries after a failure that cannot have done the work (see retry-policy.ts); the client's when left out. */
  maxRetries?: number | undefined;
}

/** The client-wide limits, which a call's SendOptions override. */
export interface SendDefaults {
  timeout: number;
  maxRetries: number;
  /** The longest wait before a retry, ms. */
  maxRetryDelay: number;
}

/**
 * Sends a request, with the access token unless the route is public, and resolves with what `read`
 * makes of the answer; `read` runs under the call's timeout (see `attempt`).
 */
export type AuthorizedFetch = <T>(
  url: string,
  init: RequestInit,
  options: SendOptions,
  read: (response: Response) => Promise<T>,
) => Promise<T>;

/**
 * What an attempt came to: the answer as `read` made it, a 401 that a refresh may get past, or a
 * failure to retry after `wait` ms.
 */
type Outcome<T> = { answer: T } | { refused: Response } | { wait: number };

function withToken(init: RequestInit, token: string | undefined): RequestInit {
  const headers = new Headers(init.headers);
  if (token !== undefined) headers.set('authorization', `Bearer ${token}`);
  return { ...init, headers };
}

/**
 * Bearer authentication with one transparent retry: a 401 on a protected route refreshes the
 * access token (once, shared with concurrent calls) and sends the request again. A second 401,
 * or a refresh that fails, reaches the caller as the original 401.
 *
 * Then up to `maxRetries` retries after failures that cannot have done the request's work (which
 * those are: retry-policy.ts), after the wait the server asked for or a backoff. The budget is the
 * call's: the resend after a refresh does not renew it, so a call makes at most maxRetries + 2
 * attempts. Each attempt has the whole timeout; the refresh, a call of its own, has its own.
 */
export function authorizedFetch(session: TokenSession, fetchImpl: typeof fetch, defaults: SendDefaults): AuthorizedFetch {
  return async <T>(url: string, init: RequestInit, options: SendOptions, read: (response: Response) => Promise<T>) => {
    const timeout = options.timeout ?? defaults.timeout;
    const maxRetries = options.maxRetries ?? defaults.maxRetries;
    const method = (init.method ?? 'GET').toUpperCase();
    let token = options.isPublic ? undefined : session.accessToken;
    let renewable = !options.isPublic;
    let retries = 0;
    /** The wait before the next retry, if this failure may have one. */
    const retryWait = (mayRetry: boolean, headers?: Headers) =>
      mayRetry && retries < maxRetries ? retryDelay(retries, headers, defaults.maxRetryDelay) : undefined;

    for (;;) {
      let outcome: Outcome<T>;
      try {
        outcome = await attempt(fetchImpl, url, withToken(init, token), timeout, async (response): Promise<Outcome<T>> => {
          if (renewable && response.status === 401) return { refused: response };
          const wait = retryWait(mayRetryStatus(method, response.status), response.headers);
          if (wait === undefined) return { answer: await read(response) };
          await response.body?.cancel();
          return { wait };
        });
      } catch (error) {
        const wait = error instanceof ApiConnectionError ? retryWait(mayRetryConnection(method, error)) : undefined;
        if (wait === undefined) throw error;
        outcome = { wait };
      }
      if ('answer' in outcome) return outcome.answer;
      if ('wait' in outcome) {
        retries += 1;
        await sleep(outcome.wait, init.signal);
        continue;
      }
      renewable = false;
      const renewed = await session.renew(token);
      // Read after the attempt's timer: a 401's few bytes are already on their way.
      if (renewed === undefined) return read(outcome.refused);
      await outcome.refused.body?.cancel();
      token = renewed;
    }
  };
}
