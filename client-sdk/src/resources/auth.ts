import type { TokenSession } from '../token-session.js';
import type { LoginBody, RegisterBody, RequestOptions } from '../types.js';
import { unwrap } from '../unwrap.js';
import type { ClientCore } from '../api.js';

/** Spec §1. Logging in and refreshing keep the client's tokens current; logging out forgets them. */
export function authResource({ api }: ClientCore, session: TokenSession) {
  return {
    register: (body: RegisterBody, options?: RequestOptions) => unwrap(api.auth.register({ body, fetchOptions: options })),

    async login(body: LoginBody, options?: RequestOptions) {
      const result = await unwrap(api.auth.login({ body, fetchOptions: options }));
      session.update(result.access_token, result.refresh_token);
      return result;
    },

    async logout(options?: RequestOptions) {
      await unwrap(api.auth.logout({ fetchOptions: options }));
      session.clear();
    },

    /**
     * Exchanges the client's refresh token (or the one given) for a new access token. One exchange
     * serves every call that asks at once, so a signal stops its caller's wait, not the exchange.
     */
    async refresh(refreshToken?: string, options?: RequestOptions) {
      options?.signal?.throwIfAborted();
      return untilAborted(session.refresh(refreshToken), options?.signal);
    },

    me: (options?: RequestOptions) => unwrap(api.auth.me({ fetchOptions: options })),
  };
}

/** `promise`, or its rejection with the signal's reason as soon as the signal fires. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}
