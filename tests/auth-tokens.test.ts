import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentUser, logout, refresh, registerAndLogin } from './support/auth.js';
import { expectError } from './support/envelope.js';
import { request } from './support/http.js';
import { claimsOf, signHs, unsigned, withPayload } from './support/jwt-forge.js';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from './support/test-app.js';

let app: TestApp;
let session: Awaited<ReturnType<typeof registerAndLogin>>;
beforeAll(async () => {
  app = await startTestApp();
  session = await registerAndLogin(app.url);
});
afterAll(() => app.close());

/** Moves a session's expiry (that of its refresh token) into the past. */
async function expireSession(accessToken: string) {
  const past = new Date(Date.now() - 1000).toISOString();
  await app.db.updateTable('sessions').set({ expires_at: past }).where('id', '=', claimsOf(accessToken).sid).execute();
}

const expectUnauthenticated = async (token: string) => expectError(await currentUser(app.url, token), 401, '未认证');
const now = () => Math.floor(Date.now() / 1000);

describe('the Authorization header', () => {
  it.each(['Bearer', 'bearer', 'BEARER'])('accepts the scheme spelled %s (schemes ignore case, RFC 7235)', async (scheme) => {
    const res = await request(app.url, 'GET', '/api/auth/user', { headers: { authorization: `${scheme} ${session.accessToken}` } });
    expect(res.status).toBe(200);
  });
});

describe('access tokens the server must refuse with 401', () => {
  it('control: a token forged with the right key and the issued claims is accepted', async () => {
    // Proves the forging below is faithful, so each refusal is due to the one thing it changes.
    const res = await currentUser(app.url, signHs(claimsOf(session.accessToken), TEST_JWT_SECRET));
    expect(res.status).toBe(200);
    expect(res.body.data.user_id).toBe(session.userId);
  });

  it('alg: none', async () => {
    await expectUnauthenticated(unsigned(claimsOf(session.accessToken)));
  });

  it('signed with a wrong key', async () => {
    await expectUnauthenticated(signHs(claimsOf(session.accessToken), 'another-secret-that-is-at-least-32-bytes'));
  });

  it('expired', async () => {
    await expectUnauthenticated(signHs({ ...claimsOf(session.accessToken), iat: now() - 120, exp: now() - 60 }, TEST_JWT_SECRET));
  });

  it.each(['HS384', 'HS512'] as const)('%s signed with the right key', async (alg) => {
    await expectUnauthenticated(signHs(claimsOf(session.accessToken), TEST_JWT_SECRET, alg));
  });

  it('without an exp claim', async () => {
    const { exp: _exp, ...claims } = claimsOf(session.accessToken);
    await expectUnauthenticated(signHs(claims, TEST_JWT_SECRET));
  });

  it('of another type (typ: refresh) or another issuer', async () => {
    await expectUnauthenticated(signHs({ ...claimsOf(session.accessToken), typ: 'refresh' }, TEST_JWT_SECRET));
    await expectUnauthenticated(signHs({ ...claimsOf(session.accessToken), iss: 'someone-else' }, TEST_JWT_SECRET));
  });

  it('whose subject is not the session owner, even when validly signed', async () => {
    const other = await registerAndLogin(app.url);
    const claims = { ...claimsOf(session.accessToken), sub: String(other.userId) };
    await expectUnauthenticated(signHs(claims, TEST_JWT_SECRET));
  });

  it('whose payload was changed after signing', async () => {
    const claims = { ...claimsOf(session.accessToken), sid: claimsOf(session.accessToken).sid + 1 };
    await expectUnauthenticated(withPayload(session.accessToken, claims));
  });

  it('naming a session that does not exist', async () => {
    await expectUnauthenticated(signHs({ ...claimsOf(session.accessToken), sid: 987_654 }, TEST_JWT_SECRET));
  });

  it('a refresh token used as an access token', async () => {
    await expectUnauthenticated(session.refreshToken);
  });

  it.each([
    ['no Authorization header', {}],
    ['an empty bearer', { authorization: 'Bearer ' }],
    ['another scheme', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['a token without the Bearer scheme', undefined],
    ['garbage', { authorization: 'Bearer not.a.jwt' }],
    ['two segments', { authorization: 'Bearer abc.def' }],
  ])('%s', async (_name, headers) => {
    const res = await request(app.url, 'GET', '/api/auth/user', {
      headers: headers ?? { authorization: session.accessToken },
    });
    expectError(res, 401, '未认证');
  });

  it('of a session whose refresh expiry has passed', async () => {
    const s = await registerAndLogin(app.url);
    await expireSession(s.accessToken);
    await expectUnauthenticated(s.accessToken);
  });

  it('of a logged-out session, and on logout itself', async () => {
    const s = await registerAndLogin(app.url);
    expect((await logout(app.url, s.accessToken)).status).toBe(200);
    await expectUnauthenticated(s.accessToken);
    expectError(await logout(app.url, s.accessToken), 401, '未认证');
  });
});

describe('refresh tokens the server must refuse with 401', () => {
  const expectInvalid = async (token: string) => expectError(await refresh(app.url, token), 401, '刷新令牌无效或已过期');

  it('an access token posted to /api/auth/refresh', async () => {
    await expectInvalid(session.accessToken);
  });

  it('an unknown random token', async () => {
    await expectInvalid('A'.repeat(43));
  });

  it('the token of a logged-out session', async () => {
    const s = await registerAndLogin(app.url);
    await logout(app.url, s.accessToken);
    await expectInvalid(s.refreshToken);
  });

  it('an expired one', async () => {
    const s = await registerAndLogin(app.url);
    await expireSession(s.accessToken);
    await expectInvalid(s.refreshToken);
  });
});
