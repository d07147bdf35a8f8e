import type { FieldError } from '@bailian-chat/contract';

/** The `data` of an error envelope: field errors on a 400, otherwise null. */
export type ErrorData = { errors: FieldError[] } | null;

/**
 * An answer with a status other than 200, or a 200 that is not the API's envelope. `code`,
 * `message` and `data` are the envelope's; an answer that is not an envelope (a proxy's HTML page,
 * say) still gives an ApiError, with `code` = `status` and a generic message. Catch a subclass to
 * handle one status.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: number;
  readonly data: ErrorData;
  readonly headers: Headers;
  /** The id the server logged the request under (X-Request-Id), to quote when reporting a failure. */
  readonly requestId: string | null;
  /**
   * Whether the answer was the API's `{code, message, data}`; false for anything else at its URL
   * (a proxy's or load balancer's page, another server), whose message is only the status.
   */
  readonly fromApi: boolean;

  constructor(status: number, body: unknown, headers: Headers) {
    const envelope = asEnvelope(body);
    super(envelope?.message ?? (status === 200 ? 'HTTP 200, but not the API’s answer' : `HTTP ${status}`));
    this.name = new.target.name;
    this.status = status;
    this.code = envelope?.code ?? status;
    this.data = envelope?.data ?? null;
    this.headers = headers;
    this.requestId = headers.get('x-request-id');
    this.fromApi = envelope !== undefined;
  }

  /** The one place an error answer becomes an error object: the subclass for its status. */
  static generate(status: number, body: unknown, headers: Headers): ApiError {
    const ErrorClass = ERROR_CLASSES[status] ?? ApiError;
    return new ErrorClass(status, body, headers);
  }
}

export class BadRequestError extends ApiError {}
export class AuthenticationError extends ApiError {}
export class PermissionDeniedError extends ApiError {}
export class NotFoundError extends ApiError {}
export class ConflictError extends ApiError {}
export class PayloadTooLargeError extends ApiError {}
/** A body in a charset or Content-Encoding the server does not read (only a custom fetch sends one). */
export class UnsupportedMediaTypeError extends ApiError {}
export class RateLimitError extends ApiError {}
export class InternalServerError extends ApiError {}
export class ServiceUnavailableError extends ApiError {}

const ERROR_CLASSES: Record<number, typeof ApiError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  413: PayloadTooLargeError,
  415: UnsupportedMediaTypeError,
  429: RateLimitError,
  500: InternalServerError,
  503: ServiceUnavailableError,
};

function asEnvelope(body: unknown): { code: number; message: string; data: ErrorData } | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { code, message, data } = body as Record<string, unknown>;
  if (typeof code !== 'number' || typeof message !== 'string') return undefined;
  return { code, message, data: (data ?? null) as ErrorData };
}

/**
 * A streamed answer that failed after it had begun (status 200 already sent): the server ends the
 * stream with an error frame `{error: {message, code}}` instead of `data: [DONE]`, or the
 * connection ends or breaks off without either. `code` is the server's error code (e.g.
 * `upstream_timeout`), null when the server sent none; `requestId` the stream's X-Request-Id;
 * `cause` the network error, if any.
 */
export class ChatStreamError extends Error {
  readonly requestId: string | null;

  constructor(
    message: string,
    readonly code: string | null,
    options: ErrorOptions & { requestId: string | null },
  ) {
    super(message, options);
    this.name = 'ChatStreamError';
    this.requestId = options.requestId;
  }
}

/** The first `code` (a Node system error's ECONNREFUSED, undici's UND_ERR_SOCKET…) down the cause chain. */
function codeOf(error: unknown): string | null {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth += 1) {
    const { code } = e as { code?: unknown };
    if (typeof code === 'string') return code;
  }
  return null;
}

/**
 * No answer came: the server could not be reached (refused, DNS failure), or the connection broke
 * off before the answer was complete (reset, closed). fetch reports all of these as a bare
 * `TypeError: fetch failed`, its reason two causes down; here `cause` is fetch's error and `code`
 * the reason's (`ECONNREFUSED`, `ENOTFOUND`, `ECONNRESET`, `UND_ERR_SOCKET`…, null when none).
 * Not an ApiError: there is no status, headers or request id, as the server never answered.
 */
export class ApiConnectionError extends Error {
  readonly code: string | null;

  constructor(message: string, options: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = codeOf(options.cause);
  }

  /** The one place a failed fetch becomes an error object. */
  static of(cause: unknown): ApiConnectionError {
    const code = codeOf(cause);
    const reason = code ?? (cause instanceof Error ? cause.message : String(cause));
    return new ApiConnectionError(`no answer from the server (${reason})`, { cause });
  }
}

/**
 * The call's `timeout` ran out before the answer came (for a streamed chat: before the stream
 * began); the request was aborted. The server may have got it and acted on it.
 */
export class ApiTimeoutError extends ApiConnectionError {
  constructor(
    /** The timeout that ran out, in ms. */
    readonly timeout: number,
    options: ErrorOptions = {},
  ) {
    super(`no answer from the server within ${timeout} ms`, options);
  }
}
