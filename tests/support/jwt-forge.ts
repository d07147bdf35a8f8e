import jwt from 'jsonwebtoken';

/**
 * Hand-made access tokens for attack tests. Each starts from the claims the server itself issues
 * for a real session, so a test changes exactly one thing (algorithm, key, expiry, type…).
 */
export interface ForgeClaims {
  sub: string;
  sid: number;
  typ?: string;
  iss?: string;
  iat?: number;
  exp?: number;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The claims of a server-issued token, to copy into a forged one. */
export function claimsOf(token: string): ForgeClaims {
  const claims = jwt.decode(token);
  if (!claims || typeof claims === 'string') throw new Error('not a JWT');
  return claims as ForgeClaims;
}

export function signHs(claims: ForgeClaims, key: string, algorithm: 'HS256' | 'HS384' | 'HS512' = 'HS256'): string {
  return jwt.sign(claims, key, { algorithm });
}

/** `alg: none`: no signature at all, as RFC 7519 §6 allows and no server should accept. */
export function unsigned(claims: ForgeClaims): string {
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
}

/** A token whose header says HS256 but whose payload was swapped after signing. */
export function withPayload(token: string, claims: ForgeClaims): string {
  const [header, , signature] = token.split('.');
  return `${header}.${b64(claims)}.${signature}`;
}
