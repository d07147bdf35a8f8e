import { createHash, createHmac, type KeyObject, randomBytes, timingSafeEqual } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { isStorableId } from '../db/dialect.js';
import { ownText } from './own-text.js';

export const TOKEN_ISSUER = 'bailian-chat';

export interface AccessClaims {
  userId: number;
  sessionId: number;
}

export function signAccessToken(claims: AccessClaims, secret: KeyObject, ttlSeconds: number): string {
  return jwt.sign({ sid: claims.sessionId, typ: 'access' }, secret, {
    algorithm: 'HS256',
    expiresIn: ttlSeconds,
    issuer: TOKEN_ISSUER,
    subject: String(claims.userId),
  });
}

const EXPECTED_HEADER_ALG = 'HS256';

function decodeJson(segment: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * Verifies an access token on the hot path of every authenticated request.
 *
 * jsonwebtoken.verify costs about twice an HMAC here, so we check exactly what we issue: the header
 * must say HS256 (which rules out `none` and every other algorithm), the signature must be our
 * HMAC-SHA256 compared in constant time, and the claims must be an unexpired access token from us.
 */
export function verifyAccessToken(token: string, secret: KeyObject, nowSeconds = Date.now() / 1000): VerifiedAccessToken | null {
  const firstDot = token.indexOf('.');
  const lastDot = token.lastIndexOf('.');
  if (firstDot <= 0 || lastDot === firstDot || token.indexOf('.', firstDot + 1) !== lastDot) return null;
  const header = decodeJson(token.slice(0, firstDot));
  if (!header || header.alg !== EXPECTED_HEADER_ALG) return null;

  const expected = createHmac('sha256', secret).update(token.slice(0, lastDot)).digest('base64url');
  const given = token.slice(lastDot + 1);
  if (given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) return null;

  const claims = decodeJson(token.slice(firstDot + 1, lastDot));
  if (!claims || claims.typ !== 'access' || claims.iss !== TOKEN_ISSUER) return null;
  if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds) return null;
  const userId = Number(claims.sub);
  const sessionId = claims.sid;
  // A session id past the id column's range names no session (PostgreSQL would fail the lookup).
  if (!Number.isSafeInteger(userId) || userId <= 0 || typeof sessionId !== 'number' || !Number.isSafeInteger(sessionId) || !isStorableId(sessionId)) {
    return null;
  }
  return { userId, sessionId, expiresAt: claims.exp };
}

export interface VerifiedAccessToken extends AccessClaims {
  /** The token's `exp`, in seconds since the epoch. */
  expiresAt: number;
}

/**
 * `verifyAccessToken` with a memory of the tokens it has already verified. A client sends the same
 * access token with every request for up to an hour, and the HMAC is the dearest step of a request
 * (about 11 µs on Node 24); a remembered token skips it until its own expiry. Only tokens whose
 * signature checked out are remembered, keyed by their exact text; revocation is unaffected, since
 * the session and its user are still read on every request. The memory holds at most `capacity`
 * tokens, forgetting the oldest first, each kept as its own text.
 */
export class AccessTokenVerifier {
  readonly #verified = new Map<string, VerifiedAccessToken>();

  constructor(
    private readonly secret: KeyObject,
    private readonly capacity = 10_000,
  ) {}

  verify(token: string, nowSeconds = Date.now() / 1000): AccessClaims | null {
    const known = this.#verified.get(token);
    if (known && known.expiresAt > nowSeconds) return { userId: known.userId, sessionId: known.sessionId };
    if (known) this.#verified.delete(token);
    const fresh = verifyAccessToken(token, this.secret, nowSeconds);
    if (!fresh) return null;
    if (this.#verified.size >= this.capacity) this.#verified.delete(this.#verified.keys().next().value!);
    // The token was cut from its Authorization header, which may pad it with up to 16 KB of spaces.
    this.#verified.set(ownText(token), fresh);
    return { userId: fresh.userId, sessionId: fresh.sessionId };
  }

  get size(): number {
    return this.#verified.size;
  }
}

/** An opaque 256-bit refresh token; only its hash is stored. */
export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
