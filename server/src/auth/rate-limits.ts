import { LOGIN_MAX, Messages } from '@bailian-chat/contract';
import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import { RateLimitError } from '../http/errors.js';
import { ownText } from './own-text.js';
import { findUserByLogin } from './users-repository.js';

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
 * What the failures of a login are counted against: the account it names, by username or by email
 * (or each name would have a budget of its own), else the name as given. This runs before body
 * validation: the name is clipped to the longest valid login, or every oversized name would be
 * kept as a key of its own for 15 minutes.
 */
async function loginKey(db: Db, login: unknown): Promise<string> {
  if (typeof login !== 'string') return '';
  // Copied: a cut of the body's string would keep all of it (up to 64 KB) as long as the key.
  const name = ownText(login.slice(0, LOGIN_MAX).toLowerCase());
  const user = name.includes('\u0000') ? undefined : await findUserByLogin(db, name);
  return user ? `user:${user.id}` : `name:${name}`;
}

/**
 * The limits on failed logins, checked in this order:
 * - per IP in 15 minutes, whatever accounts they name: one password tried on many accounts
 *   (spraying) meets no per-account limit, and each try costs a password check. The other limit's
 *   429s are not failures here (no password was checked), or one locked account retried would
 *   lock every user behind that address out;
 * - per account (or unknown name) + IP in 15 minutes.
 * Successful logins are not counted, so a user who types the password right is never locked out
 * by their own earlier typos being remembered. The headers are draft 7's: draft 8 adds a hash of
 * the key, which tells an account's key from an unknown name's and so whether the account exists.
 */
export function loginFailureLimiters(config: Config, db: Db): RequestHandler[] {
  const failures = (limit: number, keyGenerator: (req: Request) => string | Promise<string>, notFailures: number[] = []) =>
    rateLimit({
      windowMs: FIFTEEN_MINUTES,
      limit,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      skipSuccessfulRequests: true,
      requestWasSuccessful: (_req, res) => res.statusCode < 400 || notFailures.includes(res.statusCode),
      keyGenerator,
      handler: limitReached,
    });
  return [
    failures(config.loginMaxFailuresPerIp, clientKey, [429]),
    failures(config.loginMaxFailures, async (req) => `${clientKey(req)}|${await loginKey(db, req.body?.username)}`),
  ];
}
