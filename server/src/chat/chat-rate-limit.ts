import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { limitReached } from '../auth/rate-limits.js';
import type { Config } from '../config.js';
import { callerOf } from '../http/auth-middleware.js';

const ONE_MINUTE = 60 * 1000;

/**
 * CHAT_RATE_LIMIT_PER_MINUTE per user. It runs after authentication, so it counts by account,
 * not by IP: users behind one NAT do not share a budget, and one user cannot escape it by moving.
 */
export function chatRateLimit(config: Config): RequestHandler {
  return rateLimit({
    windowMs: ONE_MINUTE,
    limit: config.chatRateLimitPerMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => `user:${callerOf(req).userId}`,
    handler: limitReached,
  });
}
