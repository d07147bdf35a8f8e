import { type FieldError, Messages } from '@bailian-chat/contract';

/**
 * Errors a service throws to end a request. The error middleware turns each into our envelope with
 * its status; anything else becomes a 500 with no detail.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly data: { errors: FieldError[] } | null = null,
    /** Extra response headers, e.g. Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export class BadRequestError extends ApiError {
  constructor(errors: FieldError[] = [], message: string = Messages.badRequest) {
    super(400, message, errors.length ? { errors } : null);
  }
}

export class UnauthorizedError extends ApiError {
  constructor(message: string = Messages.unauthenticated) {
    super(401, message);
  }
}

export class ForbiddenError extends ApiError {
  constructor(message: string) {
    super(403, message);
  }
}

export class NotFoundError extends ApiError {
  constructor(message: string = Messages.notFound) {
    super(404, message);
  }
}

export class ConflictError extends ApiError {
  constructor(message: string) {
    super(409, message);
  }
}

export class RateLimitError extends ApiError {
  constructor(retryAfterSeconds: number, message: string = Messages.rateLimited) {
    super(429, message, null, { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) });
  }
}

export class ServiceUnavailableError extends ApiError {
  constructor(message: string = Messages.upstreamUnavailable) {
    super(503, message);
  }
}
