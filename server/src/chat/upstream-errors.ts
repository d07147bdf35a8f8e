import { Messages } from '@bailian-chat/contract';
import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import type { Logger } from 'pino';
import { ApiError, BadRequestError, ServiceUnavailableError } from '../http/errors.js';
import { UpstreamBodyTooLargeError } from './node-body-response.js';
import { UpstreamIdleTimeoutError } from './node-http-fetch.js';

/** What a failed upstream call becomes: the error we answer and the code the call is recorded with. */
export interface UpstreamFailure {
  error: ApiError;
  code: string;
  upstreamRequestId: string | null;
}

/** Error codes of failures that are ours to name (upstream's own codes are kept as they come). */
export const ErrorCodes = {
  clientAborted: 'client_aborted',
  serverStopping: 'server_stopping',
  timeout: 'upstream_timeout',
  unreachable: 'upstream_unreachable',
  reset: 'upstream_reset',
  malformed: 'upstream_malformed',
  truncated: 'upstream_truncated',
  tooLarge: 'upstream_too_large',
  keyRejected: 'upstream_key_rejected',
  apiKeyMissing: 'api_key_missing',
} as const;

export function unavailable(code: string, upstreamRequestId: string | null = null): UpstreamFailure {
  return { error: new ServiceUnavailableError(), code, upstreamRequestId };
}

function retryAfterHeader(err: APIError): Record<string, string> {
  const value = err.headers?.get('retry-after');
  return value && /^\d+$/.test(value) ? { 'Retry-After': value } : {};
}

function fromStatus(err: APIError, logger: Logger): UpstreamFailure {
  const requestId = err.requestID ?? null;
  const upstreamMessage = (err.error as { message?: unknown } | undefined)?.message;
  const message = typeof upstreamMessage === 'string' && upstreamMessage ? upstreamMessage : Messages.badRequest;
  const code = typeof err.code === 'string' && err.code ? err.code : `upstream_${err.status ?? 'error'}`;
  // An error frame inside a stream has no status; content moderation of the output arrives that way.
  const status = err.status ?? (code === 'data_inspection_failed' ? 400 : 500);
  if (status === 400 || (status === 404 && code === 'model_not_found')) {
    return { error: new BadRequestError([], message), code, upstreamRequestId: requestId };
  }
  if (status === 429) {
    return { error: new ApiError(429, Messages.rateLimited, null, retryAfterHeader(err)), code, upstreamRequestId: requestId };
  }
  if (status === 401 || status === 403) {
    // Our key, not the caller's request: an operator must act, and the caller learns nothing of it.
    logger.error({ upstreamStatus: status, upstreamCode: code, upstreamRequestId: requestId }, 'DashScope rejected the API key');
    return unavailable(ErrorCodes.keyRejected, requestId);
  }
  logger.warn({ upstreamStatus: status, upstreamCode: code, upstreamRequestId: requestId }, 'DashScope call failed');
  return unavailable(code, requestId);
}

/**
 * Maps an error thrown by the upstream call (the SDK, the network, or a body that is not what it
 * should be) to our answer, as PRODUCT.md settles it. `abortReason` is set when the call was
 * aborted (its client went away, or the server is stopping), which the SDK reports in several shapes.
 */
export function mapUpstreamError(err: unknown, abortReason: string | undefined, logger: Logger): UpstreamFailure {
  if (abortReason === ErrorCodes.serverStopping) {
    return { error: new ServiceUnavailableError(Messages.serverStopping), code: abortReason, upstreamRequestId: null };
  }
  if (abortReason) return unavailable(abortReason);
  if (err instanceof APIConnectionTimeoutError || err instanceof UpstreamIdleTimeoutError) return unavailable(ErrorCodes.timeout);
  if (err instanceof APIConnectionError) return unavailable(ErrorCodes.unreachable);
  if (err instanceof APIError) return fromStatus(err, logger);
  if (err instanceof SyntaxError) return unavailable(ErrorCodes.malformed);
  if (err instanceof UpstreamBodyTooLargeError) return unavailable(ErrorCodes.tooLarge);
  // Anything else came out of fetch while reading the body: the connection broke.
  logger.warn({ err }, 'DashScope connection broke');
  return unavailable(ErrorCodes.reset);
}
