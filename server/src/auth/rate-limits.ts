import { LOGIN_MAX, Messages } from '@bailian-chat/contract';
import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { Config } from '../config.js';
import { RateLimitError } from '../http/errors.js';

const FIFTEEN_MINUTES = 15 * 60 * 1000;
const ONE_HOUR = 60 * 60 * 1000;

function clientKey(req: Request): string {
  return ipKeyGenerator(req.ip ?? 'unknown');
}

/** express-rate-limit's handler for every limiter of the app: our 429 envelope with Retry-After. */
export function limitReached(req: Request, _res: unknown, next: (err: unknown) => void, options: { windowMs: number }) {
  const resetTime = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
  const seconds = resetTime ? (resetTime.getTime() - Date.now()) / 1000 : options.windowMs / 1000;
  next(new RateLimitError(seconds, Messages.rateLimited));
}

/** Registrations per client IP per hour. */
export function registerLimiter(config: Config): RequestHandler {
  return rateLimit({
    windowMs: ONE_HOUR,
    limit: config.registerRateLimitPerHour,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: clientKey,
    handler: limitReached,
  });
}

/**
 * Failed logins per username + IP in 15 minutes. Successful logins are not counted, so a user who
 * types the password right is never locked out by their own earlier typos being remembered.
 */
export function loginFailureLimiter(config: Config): RequestHandler {
  return rateLimit({
    windowMs: FIFTEEN_MINUTES,
    limit: config.loginMaxFailures,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    skipSuccessfulRequests: true,
    keyGenerator: (req) => {
      // This runs before body validation: clip the name to the longest valid login, or every
      // oversized name would be kept as a key of its own, up to BODY_LIMIT each, for 15 minutes.
      const username = typeof req.body?.username === 'string' ? req.body.username.slice(0, LOGIN_MAX).toLowerCase() : '';
      return `${clientKey(req)}|${username}`;
    },
    handler: limitReached,
  });
}
