import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentUser, login, logout, refresh, registerAndLogin, setUserStatus } from './support/auth.js';
import { expectError, expectFieldErrors, expectNothingLeaked, ISO_UTC } from './support/envelope.js';
import { request } from './support/http.js';
import { claimsOf } from './support/jwt-forge.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const INVALID_REFRESH = '刷新令牌无效或已过期';

describe('without refresh-token rotation (the default)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  const sessionRow = (accessToken: string) =>
    app.db.selectFrom('sessions').selectAll().where('id', '=', claimsOf(accessToken).sid).executeTakeFirstOrThrow();

  describe('GET /api/auth/user', () => {
    it('answers 获取成功 with exactly the spec fields', async () => {
      const s = await registerAndLogin(app.url);
      const res = await currentUser(app.url, s.accessToken);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        code: 200,
        message: '获取成功',
        data: {
          user_id: s.userId,
          username: s.user.username,
          email: s.user.email,
          nickname: s.user.username,
          avatar_url: null,
          phone: null,
          status: 1,
          created_at: expect.stringMatching(ISO_UTC),
          last_login_at: expect.stringMatching(ISO_UTC),
        },
      });
      expectNothingLeaked(res, [s.user.password, s.refreshToken]);
    });

    it('answers 403 to a live token of a user disabled since, here and on logout', async () => {
      const s = await registerAndLogin(app.url);
      await setUserStatus(app.db, s.userId, 0);
      expectError(await currentUser(app.url, s.accessToken), 403, '用户账户已被禁用');
      expectError(await logout(app.url, s.accessToken), 403, '用户账户已被禁用');
    });
  });

  describe('sessions table', () => {
    it('holds only the sha256 of the refresh token, never the token', async () => {
      const s = await registerAndLogin(app.url);
      const row = await sessionRow(s.accessToken);
      expect(row.user_id).toBe(s.userId);
      expect(row.refresh_token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(row.refresh_token_hash).toBe(sha256(s.refreshToken));
      expect(JSON.stringify(row)).not.toContain(s.refreshToken);
      expect(row.expires_at > new Date(Date.now() + 29 * 86_400_000).toISOString()).toBe(true);
    });
  });

  describe('POST /api/auth/refresh', () => {
    it('answers Token刷新成功 with a working access token and no refresh_token', async () => {
      const s = await registerAndLogin(app.url);
      const res = await refresh(app.url, s.refreshToken);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        code: 200,
        message: 'Token刷新成功',
        data: { access_token: expect.any(String), expires_in: 3600 },
      });
      expect(claimsOf(res.body.data.access_token).sid).toBe(claimsOf(s.accessToken).sid);
      expect((await currentUser(app.url, res.body.data.access_token)).body.data.user_id).toBe(s.userId);
    });

    it('keeps the refresh token valid for further refreshes', async () => {
      const s = await registerAndLogin(app.url);
      expect((await refresh(app.url, s.refreshToken)).status).toBe(200);
      expect((await refresh(app.url, s.refreshToken)).status).toBe(200);
      expect((await sessionRow(s.accessToken)).refresh_token_hash).toBe(sha256(s.refreshToken));
    });

    it.each([
      ['an empty body', {}],
      ['an empty token', { refresh_token: '' }],
      ['a number', { refresh_token: 42 }],
      ['a token longer than 512 characters', { refresh_token: 'a'.repeat(513) }],
    ])('answers 400 to %s', async (_name, body) => {
      expectFieldErrors(await request(app.url, 'POST', '/api/auth/refresh', { body }), ['refresh_token']);
    });

    it('answers 403 when the user was disabled', async () => {
      const s = await registerAndLogin(app.url);
      await setUserStatus(app.db, s.userId, 0);
      expectError(await refresh(app.url, s.refreshToken), 403, '用户账户已被禁用');
    });
  });

  describe('POST /api/auth/logout', () => {
    it('answers 登出成功 and revokes that session at once: access and refresh tokens → 401', async () => {
      const s = await registerAndLogin(app.url);
      const res = await logout(app.url, s.accessToken);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ code: 200, message: '登出成功', data: null });
      expect((await sessionRow(s.accessToken)).revoked_at).toMatch(ISO_UTC);
      expectError(await currentUser(app.url, s.accessToken), 401, '未认证');
      expectError(await refresh(app.url, s.refreshToken), 401, INVALID_REFRESH);
    });

    it('also stops access tokens obtained from that session by refresh', async () => {
      const s = await registerAndLogin(app.url);
      const refreshed = (await refresh(app.url, s.refreshToken)).body.data.access_token;
      await logout(app.url, s.accessToken);
      expectError(await currentUser(app.url, refreshed), 401, '未认证');
    });

    it('leaves the same user’s other sessions working', async () => {
      const s = await registerAndLogin(app.url);
      const other = (await login(app.url, s.user.username, s.user.password)).body.data;
      await logout(app.url, s.accessToken);
      expect((await currentUser(app.url, other.access_token)).status).toBe(200);
      expect((await refresh(app.url, other.refresh_token)).status).toBe(200);
    });

    it('answers 401 without a token', async () => {
      expectError(await request(app.url, 'POST', '/api/auth/logout'), 401, '未认证');
    });
  });
});

describe('with REFRESH_TOKEN_ROTATION=true', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ REFRESH_TOKEN_ROTATION: 'true' });
  });
  afterAll(() => app.close());

  it('returns a new refresh token with each refresh; the new one works', async () => {
    const s = await registerAndLogin(app.url);
    const res = await refresh(app.url, s.refreshToken);
    expect(res.body).toEqual({
      code: 200,
      message: 'Token刷新成功',
      data: { access_token: expect.any(String), expires_in: 3600, refresh_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) },
    });
    expect(res.body.data.refresh_token).not.toBe(s.refreshToken);
    expect((await refresh(app.url, res.body.data.refresh_token)).status).toBe(200);
  });

  it('treats reuse of a rotated-away token as theft: 401, and the whole session is revoked', async () => {
    const s = await registerAndLogin(app.url);
    const first = (await refresh(app.url, s.refreshToken)).body.data;
    const second = (await refresh(app.url, first.refresh_token)).body.data;
    expect((await currentUser(app.url, second.access_token)).status).toBe(200);

    expectError(await refresh(app.url, s.refreshToken), 401, INVALID_REFRESH);

    expectError(await refresh(app.url, second.refresh_token), 401, INVALID_REFRESH);
    for (const token of [s.accessToken, first.access_token, second.access_token]) {
      expectError(await currentUser(app.url, token), 401, '未认证');
    }
  });

  it('does not let a replayed token end someone else’s session', async () => {
    const victim = await registerAndLogin(app.url);
    const thief = await registerAndLogin(app.url);
    await refresh(app.url, thief.refreshToken);
    await refresh(app.url, thief.refreshToken);
    expect((await currentUser(app.url, victim.accessToken)).status).toBe(200);
    expect((await refresh(app.url, victim.refreshToken)).status).toBe(200);
  });

  it('gives one winner when the same refresh token is used twice at once', async () => {
    const s = await registerAndLogin(app.url);
    const answers = await Promise.all([refresh(app.url, s.refreshToken), refresh(app.url, s.refreshToken)]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 401]);
    const stored = await app.db
      .selectFrom('sessions')
      .select('refresh_token_hash')
      .where('id', '=', claimsOf(s.accessToken).sid)
      .executeTakeFirstOrThrow();
    expect(stored.refresh_token_hash).not.toBe(sha256(s.refreshToken));
  });
});
