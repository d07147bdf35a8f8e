import { Messages } from '@bailian-chat/contract';
import type { z } from 'zod';
import type { LoginBodySchema, RegisterBodySchema } from '@bailian-chat/contract';
import { isoAfterSeconds, nowIso } from '../db/clock.js';
import { isUniqueViolation } from '../db/errors.js';
import type { ServiceDeps } from '../deps.js';
import { BadRequestError, ConflictError, ForbiddenError, UnauthorizedError } from '../http/errors.js';
import { dummyPasswordHash, hashPassword, isCommonPassword, needsRehash, verifyPassword } from './passwords.js';
import * as sessions from './sessions-repository.js';
import { hashRefreshToken, newRefreshToken, signAccessToken, type AccessClaims } from './tokens.js';
import { toCurrentUser, toRegisteredUser, toUser } from './user-presenter.js';
import * as users from './users-repository.js';

export const USER_ENABLED = 1;

export interface ClientMeta {
  ip: string | undefined;
  userAgent: string | undefined;
}


export async function register(deps: ServiceDeps, body: z.infer<typeof RegisterBodySchema>) {
  if (isCommonPassword(body.password)) {
    throw new BadRequestError([{ field: 'password', message: '密码过于常见，请换一个' }]);
  }
  const usernameKey = body.username.toLowerCase();
  const email = body.email.toLowerCase();
  if (await users.userExists(deps.db, usernameKey, email)) throw new ConflictError(Messages.userExists);
  const now = nowIso();
  try {
    const row = await users.insertUser(deps.db, {
      username: body.username,
      username_key: usernameKey,
      email,
      password_hash: await hashPassword(body.password),
      nickname: body.nickname ?? body.username,
      avatar_url: null,
      phone: body.phone ?? null,
      status: USER_ENABLED,
      created_at: now,
      updated_at: now,
      last_login_at: null,
    });
    return toRegisteredUser(row);
  } catch (err) {
    // Two registrations racing for one name: the database's unique index decides.
    if (isUniqueViolation(err)) throw new ConflictError(Messages.userExists);
    throw err;
  }
}

async function startSession(deps: ServiceDeps, userId: number, meta: ClientMeta) {
  const refreshToken = newRefreshToken();
  const now = nowIso();
  const sessionId = await sessions.insertSession(deps.db, {
    user_id: userId,
    refresh_token_hash: hashRefreshToken(refreshToken),
    expires_at: isoAfterSeconds(deps.config.refreshTokenTtl),
    revoked_at: null,
    created_at: now,
    last_used_at: now,
    // With TRUST_PROXY the address comes from X-Forwarded-For, unchecked: keep it to the column's 64.
    client_ip: meta.ip?.slice(0, 64) ?? null,
    user_agent: meta.userAgent?.slice(0, 512) ?? null,
  });
  return { sessionId, refreshToken, now };
}

function accessTokenFor(deps: ServiceDeps, claims: AccessClaims) {
  return signAccessToken(claims, deps.jwtKey, deps.config.accessTokenTtl);
}

export async function login(deps: ServiceDeps, body: z.infer<typeof LoginBodySchema>, meta: ClientMeta) {
  const user = await users.findUserByLogin(deps.db, body.username);
  // Always run one argon2 verification, so an unknown user takes as long as a wrong password.
  const passwordOk = await verifyPassword(user?.password_hash ?? (await dummyPasswordHash()), body.password);
  if (!user || !passwordOk) throw new UnauthorizedError(Messages.invalidCredentials);
  if (user.status !== USER_ENABLED) throw new ForbiddenError(Messages.userDisabled);

  const { sessionId, refreshToken, now } = await startSession(deps, user.id, meta);
  const rehash = needsRehash(user.password_hash) ? await hashPassword(body.password) : undefined;
  await users.recordLogin(deps.db, user.id, now, rehash);
  return {
    access_token: accessTokenFor(deps, { userId: user.id, sessionId }),
    refresh_token: refreshToken,
    expires_in: deps.config.accessTokenTtl,
    user: toUser({ ...user, last_login_at: now }),
  };
}

export async function logout(deps: ServiceDeps, auth: AccessClaims): Promise<void> {
  await sessions.revokeSession(deps.db, auth.sessionId, nowIso());
}

export async function refresh(deps: ServiceDeps, refreshToken: string) {
  const hash = hashRefreshToken(refreshToken);
  const now = nowIso();
  const session = await sessions.findSessionByTokenHash(deps.db, hash);
  if (!session) {
    // A rotated-away token presented again means it leaked: end the whole session.
    const reusedSessionId = await sessions.findSessionIdByRetiredHash(deps.db, hash);
    if (reusedSessionId !== undefined) await sessions.revokeSession(deps.db, reusedSessionId, now);
    throw new UnauthorizedError(Messages.invalidRefreshToken);
  }
  if (session.revoked_at !== null || session.expires_at <= now) throw new UnauthorizedError(Messages.invalidRefreshToken);
  const user = await users.findUserById(deps.db, session.user_id);
  if (!user) throw new UnauthorizedError(Messages.invalidRefreshToken);
  if (user.status !== USER_ENABLED) throw new ForbiddenError(Messages.userDisabled);

  let rotated: string | undefined;
  if (deps.config.refreshTokenRotation) {
    rotated = newRefreshToken();
    const won = await sessions.rotateRefreshToken(deps.db, session.id, hash, hashRefreshToken(rotated), now);
    if (!won) throw new UnauthorizedError(Messages.invalidRefreshToken);
  } else {
    await sessions.touchSession(deps.db, session.id, now);
  }
  return {
    access_token: accessTokenFor(deps, { userId: user.id, sessionId: session.id }),
    expires_in: deps.config.accessTokenTtl,
    ...(rotated ? { refresh_token: rotated } : {}),
  };
}

export async function currentUser(deps: ServiceDeps, caller: Caller) {
  const user = await users.findUserById(deps.db, caller.userId);
  if (!user) throw new UnauthorizedError();
  return toCurrentUser(user);
}

/** The authenticated caller of a request: the claims of a token whose session and user are live. */
export type Caller = AccessClaims;

const BEARER_SCHEME = /^bearer /i;

/**
 * Checks a request's bearer token: a valid access token of a live session whose user is enabled.
 * A disabled user is answered 403 on every route.
 */
export async function authenticate(deps: ServiceDeps, authorization: string | undefined): Promise<Caller> {
  // The scheme name ignores case (RFC 7235 §2.1): `bearer x` is as good as `Bearer x`.
  if (!authorization || !BEARER_SCHEME.test(authorization)) throw new UnauthorizedError();
  const claims = deps.accessTokens.verify(authorization.slice(7).trim());
  if (!claims) throw new UnauthorizedError();
  const user = await deps.findLiveSessionUser(claims.sessionId, nowIso());
  if (!user || user.id !== claims.userId) throw new UnauthorizedError();
  if (user.status !== USER_ENABLED) throw new ForbiddenError(Messages.userDisabled);
  return claims;
}
