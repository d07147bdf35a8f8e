import { attempt } from './attempt.js';
import type { TokenSession } from './token-session.js';

/** How one call is sent: whether it goes without a token, and its own limits over the client's. */
export interface SendOptions {
  isPublic: boolean;
  /** ms per attempt; the client's when left out. */
  timeout?: number | undefined;
}

/** The client-wide limits, which a call's SendOptions override. */
export interface SendDefaults {
  timeout: number;
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

/** What an attempt came to: the answer as `read` made it, or a 401 that a refresh may get past. */
type Outcome<T> = { answer: T } | { refused: Response };

function withToken(init: RequestInit, token: string | undefined): RequestInit {
  const headers = new Headers(init.headers);
  if (token !== undefined) headers.set('authorization', `Bearer ${token}`);
  return { ...init, headers };
}

/**
 * Bearer authentication with one transparent retry: a 401 on a protected route refreshes the
 * access token (once, shared with concurrent calls) and sends the request again. A second 401,
 * or a refresh that fails, reaches the caller as the original 401. Each attempt has the whole
 * timeout; the refresh, a call of its own, has its own.
 */
export function authorizedFetch(session: TokenSession, fetchImpl: typeof fetch, defaults: SendDefaults): AuthorizedFetch {
  return async <T>(url: string, init: RequestInit, options: SendOptions, read: (response: Response) => Promise<T>) => {
    const timeout = options.timeout ?? defaults.timeout;
    let token = options.isPublic ? undefined : session.accessToken;
    let renewable = !options.isPublic;
    for (;;) {
      const outcome: Outcome<T> = await attempt(fetchImpl, url, withToken(init, token), timeout, async (response) =>
        renewable && response.status === 401 ? { refused: response } : { answer: await read(response) },
      );
      if ('answer' in outcome) return outcome.answer;
      renewable = false;
      const renewed = await session.renew(token);
      // Read after the attempt's timer: a 401's few bytes are already on their way.
      if (renewed === undefined) return read(outcome.refused);
      await outcome.refused.body?.cancel();
      token = renewed;
    }
  };
}
