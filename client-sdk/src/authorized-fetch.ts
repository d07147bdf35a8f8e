import type { TokenSession } from './token-session.js';

/** Sends a request, with the access token unless the route is public. */
export type AuthorizedFetch = (url: string, init: RequestInit, isPublic: boolean) => Promise<Response>;

/**
 * Bearer authentication with one transparent retry: a 401 on a protected route refreshes the
 * access token (once, shared with concurrent calls) and sends the request again. A second 401,
 * or a refresh that fails, reaches the caller as the original 401.
 */
export function authorizedFetch(session: TokenSession, fetchImpl: typeof fetch): AuthorizedFetch {
  return async (url, init, isPublic) => {
    const send = (token: string | undefined) => {
      const headers = new Headers(init.headers);
      if (token !== undefined) headers.set('authorization', `Bearer ${token}`);
      return fetchImpl(url, { ...init, headers });
    };
    if (isPublic) return send(undefined);
    const used = session.accessToken;
    const response = await send(used);
    if (response.status !== 401) return response;
    const renewed = await session.renew(used);
    if (renewed === undefined) return response;
    await response.body?.cancel();
    return send(renewed);
  };
}
