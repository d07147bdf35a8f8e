import { UsageError } from './usage-error.js';
import { AuthenticationError, type BailianClient, createClient } from '@bailian-chat/client';
import type { Command } from 'commander';
import { ConfigStore, type Session } from './config/config-store.js';

export const DEFAULT_BASE_URL = 'http://127.0.0.1:3000';

/**
 * The SDK's retries (2, only where a retry cannot do the work twice), but no silent wait longer
 * than 5 s: a person at the terminal should not sit through a minute of nothing. A 429 asking for
 * longer is reported at once, with its "try again in" hint.
 */
const RETRIES = { maxRetryDelay: 5_000 } as const;

/** Thrown by commands that need a login when there is none for this server. */
export class NotLoggedInError extends Error {
  override readonly name = 'NotLoggedInError';
  constructor(baseUrl: string) {
    super(`not logged in to ${baseUrl}: run \`bailian-chat login <username>\` first`);
  }
}

/** A 401 to a logged-in call, after the client's own refresh failed too: the login is over. */
export class SessionExpiredError extends Error {
  override readonly name = 'SessionExpiredError';
  constructor(cause: AuthenticationError) {
    super(`${cause.message} (HTTP ${cause.status})`, { cause });
  }
}

/** `--base-url`, else `BAILIAN_CHAT_URL`, else the default; without trailing slashes, as it keys the token store. */
export function resolveBaseUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return (flag || env.BAILIAN_CHAT_URL || DEFAULT_BASE_URL).replace(/\/+$/, '');
}

function isHttpUrl(text: string): boolean {
  return URL.canParse(text) && ['http:', 'https:'].includes(new URL(text).protocol);
}

/** What every command works with: the server, the token store, and clients for both. */
export class CliContext {
  readonly store = new ConfigStore();
  /** Token writes from refreshes happen in the background; the command waits for them before exiting. */
  private pendingWrites: Promise<void> = Promise.resolve();
  /** The first of those writes that failed, boxed (anything can be thrown, `undefined` too). */
  private writeFailure: { error: unknown } | undefined;
  /** Whether the saved login was used, which is what makes a 401 mean "log in again". */
  private sessionUsed = false;

  constructor(readonly baseUrl: string) {}

  static of(command: Command): CliContext {
    const flag = command.optsWithGlobals<{ baseUrl?: string }>().baseUrl;
    const baseUrl = resolveBaseUrl(flag);
    if (!isHttpUrl(baseUrl)) {
      throw new UsageError(`${baseUrl}: not an http:// or https:// URL (from ${flag ? '--base-url' : 'BAILIAN_CHAT_URL'})`);
    }
    return new CliContext(baseUrl);
  }

  /** For the calls that need no login: register, login, models. */
  anonymousClient(): BailianClient {
    return createClient({ baseUrl: this.baseUrl, ...RETRIES });
  }

  /**
   * A client with this server's saved tokens. When it refreshes the access token (on a 401), the
   * new tokens are saved, so the user never sees the expiry.
   */
  async client(): Promise<BailianClient> {
    const session = await this.store.session(this.baseUrl);
    if (!session) throw new NotLoggedInError(this.baseUrl);
    this.sessionUsed = true;
    return createClient({
      baseUrl: this.baseUrl,
      ...RETRIES,
      accessToken: session.accessToken,
      refreshToken: session.refreshToken,
      onTokens: (tokens) => {
        // null: `logout` ended the session, and that command forgets it itself, after the call.
        if (tokens === null) return;
        const { accessToken, refreshToken } = tokens;
        // The store writes in order, so the last write done means every one before it is too. A
        // failure waits for `settled()`: unhandled until then, it would end the process at once.
        this.pendingWrites = this.store
          .updateTokens(this.baseUrl, { accessToken, refreshToken: refreshToken ?? session.refreshToken })
          .catch((error: unknown) => {
            this.writeFailure ??= { error };
          });
      },
    });
  }

  saveSession(session: Session): Promise<void> {
    return this.store.saveSession(this.baseUrl, session);
  }

  forgetSession(): Promise<void> {
    return this.store.removeSession(this.baseUrl);
  }

  async settled(): Promise<void> {
    await this.pendingWrites;
    if (this.writeFailure) throw this.writeFailure.error;
  }

  /** The error as the user should read it: a 401 with the saved login means that login is over. */
  explain(error: unknown): unknown {
    return this.sessionUsed && error instanceof AuthenticationError ? new SessionExpiredError(error) : error;
  }
}

/**
 * A commander action that gets the context first and, whatever happens, waits for token writes
 * before the command counts as done. Commander passes the command object last.
 */
export function withContext<A extends unknown[]>(handler: (context: CliContext, ...args: A) => Promise<void>) {
  return async (...args: A): Promise<void> => {
    const context = CliContext.of(args.at(-1) as Command);
    try {
      await handler(context, ...args);
    } catch (error) {
      throw context.explain(error);
    } finally {
      await context.settled();
    }
  };
}
