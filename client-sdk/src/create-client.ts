import { type ClientCore, createApi } from './api.js';
import { checkDelay, checkRetries, checkTimeout } from './check-options.js';
import { authorizedFetch } from './authorized-fetch.js';
import { authResource } from './resources/auth.js';
import { chatResource } from './resources/chat.js';
import { conversationsResource } from './resources/conversations.js';
import { historyResource } from './resources/history.js';
import { messagesResource } from './resources/messages.js';
import { modelsResource } from './resources/models.js';
import { TokenSession, type TokensListener } from './token-session.js';
import { unwrap } from './unwrap.js';

export interface ClientOptions {
  /** Where the server is, e.g. `http://127.0.0.1:3000` (a trailing `/` is ignored). */
  baseUrl: string;
  accessToken?: string;
  refreshToken?: string;
  /**
   * Called with the new pair whenever login or a refresh (explicit or automatic) changes it, and
   * with null when `auth.logout()` has ended the session: persist what it is given.
   */
  onTokens?: TokensListener;
  /** A fetch to send requests with (tests, proxies, instrumentation); the global one by default. */
  fetch?: typeof fetch;
  /**
   * ms a request may take before it is aborted with ApiTimeoutError (per attempt; a call's own
   * `timeout` overrides it). For `chat.stream`, the time until the stream begins, not the whole reply.
   * Default 10 minutes: a non-streamed chat answers only when the model is done, and the server
   * gives DashScope up to 2 min per try, over 3 tries (DASHSCOPE_TIMEOUT_MS, DASHSCOPE_MAX_RETRIES).
   */
  timeout?: number;
  /**
   * How many times a call is sent again after a failure that cannot have done its work (a call's
   * own `maxRetries` overrides it; 0: never). Default 2, as openai-node's. What is retried: README.
   */
  maxRetries?: number;
  /**
   * The longest wait before a retry, ms (default 60 s). A server asking for a longer one (in
   * Retry-After) gets no retry: the call rejects at once with its answer, which says when to return.
   */
  maxRetryDelay?: number;
}

/** As openai-node's: longer than the server's own worst case for a chat completion (see `timeout`). */
const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;
const DEFAULT_MAX_RETRIES = 2;
/** As long as the longest wait our chat rate limit asks for (its window is a minute). */
const DEFAULT_MAX_RETRY_DELAY_MS = 60 * 1000;

/**
 * The typed client of the API, grouped as the spec is. Each method resolves to the `data` of the
 * success envelope and rejects with the ApiError subclass for any other status (a plain ApiError
 * for a 200 that is not the envelope).
 */
export function createClient(options: ClientOptions) {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  // Called through a closure so that a later-patched global fetch is used, and never unbound.
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  const session: TokenSession = new TokenSession(
    options,
    (refresh_token) => unwrap(core.api.auth.refresh({ body: { refresh_token } })),
    options.onTokens,
  );
  const send = authorizedFetch(session, fetchImpl, {
    timeout: checkTimeout(options.timeout) ?? DEFAULT_TIMEOUT_MS,
    maxRetries: checkRetries(options.maxRetries) ?? DEFAULT_MAX_RETRIES,
    maxRetryDelay: checkDelay(options.maxRetryDelay) ?? DEFAULT_MAX_RETRY_DELAY_MS,
  });
  const core: ClientCore = { api: createApi(baseUrl, send), send, baseUrl };
  return {
    auth: authResource(core, session),
    conversations: conversationsResource(core),
    messages: messagesResource(core),
    chat: chatResource(core),
    history: historyResource(core),
    models: modelsResource(core),
  };
}

export type BailianClient = ReturnType<typeof createClient>;
