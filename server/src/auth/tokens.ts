import { createHash, createHmac, type KeyObject, randomBytes, timingSafeEqual } from 'node:crypto';
import jwt from 'jsonwebtoken';

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
export function verifyAccessToken(token: string, secret: KeyObject, nowSeconds = Date.now() / 1000): AccessClaims | null {
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
  if (!Number.isSafeInteger(userId) || userId <= 0 || typeof sessionId !== 'number' || !Number.isSafeInteger(sessionId)) {
    return null;
  }
  return { userId, sessionId };
}

/** An opaque 256-bit refresh token; only its hash is stored. */
export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
