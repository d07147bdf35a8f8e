import type { RefreshResult } from './types.js';

export interface Tokens {
  accessToken: string;
  /** Absent only when the client was never given one. */
  refreshToken?: string;
}

export type RefreshExchange = (refreshToken: string) => Promise<RefreshResult>;

/**
 * What `onTokens` is called with: the new pair after a login or a refresh, or null after a logout,
 * when the client has no tokens any more and the ones persisted must be dropped too.
 */
export type TokensListener = (tokens: Tokens | null) => void;

/**
 * The client's tokens. Logging in and refreshing update them and report the new pair through
 * `onTokens`, so the caller can persist it; logging out reports null, or an app that persists what
 * it is told would resume a revoked session at its next start. Refreshes are shared: however many
 * calls find their access token expired at once, the refresh token is spent once.
 */
export class TokenSession {
  accessToken: string | undefined;
  refreshToken: string | undefined;
  private inFlight: { refreshToken: string; result: Promise<RefreshResult> } | undefined;

  constructor(
    tokens: Partial<Tokens>,
    private readonly exchange: RefreshExchange,
    private readonly onTokens?: TokensListener,
  ) {
    this.accessToken = tokens.accessToken;
    this.refreshToken = tokens.refreshToken;
  }

  update(accessToken: string, refreshToken = this.refreshToken): void {
    this.accessToken = accessToken;
    this.refreshToken = refreshToken;
    this.onTokens?.({ accessToken, ...(refreshToken !== undefined && { refreshToken }) });
  }

  clear(): void {
    this.accessToken = undefined;
    this.refreshToken = undefined;
    this.onTokens?.(null);
  }

  /** Exchanges the refresh token for a new access token, joining a refresh already under way. */
  refresh(refreshToken = this.refreshToken): Promise<RefreshResult> {
    if (refreshToken === undefined) return Promise.reject(new Error('this client has no refresh token'));
    if (this.inFlight?.refreshToken !== refreshToken) {
      const result = this.exchange(refreshToken).then((data) => {
        this.update(data.access_token, data.refresh_token ?? refreshToken);
        return data;
      });
      const settled = () => {
        if (this.inFlight?.result === result) this.inFlight = undefined;
      };
      result.then(settled, settled);
      this.inFlight = { refreshToken, result };
    }
    return this.inFlight.result;
  }

  /**
   * The access token to retry with after `stale` was refused: the current one when another call
   * has refreshed meanwhile, else a fresh one; undefined when there is none to be had.
   */
  async renew(stale: string | undefined): Promise<string | undefined> {
    if (this.accessToken !== undefined && this.accessToken !== stale) return this.accessToken;
    if (this.refreshToken === undefined) return undefined;
    try {
      return (await this.refresh()).access_token;
    } catch {
      return undefined;
    }
  }
}
