import argon2 from 'argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentUser, login, register, setUserStatus, uniqueUser, type NewUser } from './support/auth.js';
import { expectError, expectFieldErrors, expectNothingLeaked, ISO_UTC } from './support/envelope.js';
import { request } from './support/http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ REGISTER_RATE_LIMIT_PER_HOUR: '1000', ACCESS_TOKEN_TTL: '900' });
});
afterAll(() => app.close());

async function newUser(extra: Partial<NewUser> = {}) {
  const user = uniqueUser('login', extra);
  const res = await register(app.url, user);
  if (res.status !== 200) throw new Error(res.text);
  return { ...user, userId: res.body.data.user_id as number };
}

const storedUser = (id: number) => app.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const sessionCount = async (userId: number) =>
  (await app.db.selectFrom('sessions').select('id').where('user_id', '=', userId).execute()).length;

describe('POST /api/auth/login — 200', () => {
  it('answers 登录成功 with tokens, expires_in and the user, and no password', async () => {
    const user = await newUser({ nickname: 'Nick', phone: '13800138000' });
    const res = await login(app.url, user.username, user.password);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      code: 200,
      message: '登录成功',
      data: {
        access_token: expect.any(String),
        refresh_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        expires_in: 900,
        user: {
          user_id: user.userId,
          username: user.username,
          email: user.email,
          nickname: 'Nick',
          avatar_url: null,
          phone: '13800138000',
          status: 1,
        },
      },
    });
    expectNothingLeaked(res, [user.password]);
  });

  it('issues an HS256 access token with sub, sid, typ, iss, iat and exp = iat + ACCESS_TOKEN_TTL', async () => {
    const user = await newUser();
    const { access_token } = (await login(app.url, user.username, user.password)).body.data;
    const [header, payload] = access_token.split('.').slice(0, 2).map((p: string) => JSON.parse(Buffer.from(p, 'base64url').toString()));
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toEqual({
      sub: String(user.userId),
      sid: expect.any(Number),
      typ: 'access',
      iss: 'bailian-chat',
      iat: expect.any(Number),
      exp: expect.any(Number),
    });
    expect(payload.exp - payload.iat).toBe(900);
  });

  it('accepts the email instead of the username, in any case, and the username in any case', async () => {
    const user = await newUser();
    for (const name of [user.email, user.email.toUpperCase(), user.username.toUpperCase()]) {
      const res = await login(app.url, name, user.password);
      expect(res.status, name).toBe(200);
      expect(res.body.data.user.user_id).toBe(user.userId);
    }
  });

  it('sets last_login_at, which /api/auth/user then shows', async () => {
    const user = await newUser();
    expect((await storedUser(user.userId)).last_login_at).toBeNull();
    const before = new Date().toISOString();
    const res = await login(app.url, user.username, user.password);
    const stored = (await storedUser(user.userId)).last_login_at;
    expect(stored).toMatch(ISO_UTC);
    expect(stored! >= before).toBe(true);
    expect((await currentUser(app.url, res.body.data.access_token)).body.data.last_login_at).toBe(stored);
  });

  it('opens one session per login, each with its own tokens', async () => {
    const user = await newUser();
    const a = await login(app.url, user.username, user.password);
    const b = await login(app.url, user.username, user.password);
    expect(a.body.data.refresh_token).not.toBe(b.body.data.refresh_token);
    expect(await sessionCount(user.userId)).toBe(2);
  });

  it('a 100-character password works and its 72-character prefix does not', async () => {
    const password = Array.from({ length: 100 }, (_, i) => 'abcdefghijklmnopqrstuvwxyz0123456789'[(i * 7) % 36]).join('');
    const user = await newUser({ password });
    expect((await login(app.url, user.username, password)).status).toBe(200);
    expectError(await login(app.url, user.username, password.slice(0, 72)), 401, '用户名或密码错误');
  });

  it('rehashes a password stored with weaker argon2 parameters on the next login', async () => {
    const user = await newUser();
    const weak = await argon2.hash(user.password, { type: argon2.argon2id, memoryCost: 4096, timeCost: 1, parallelism: 1 });
    await app.db.updateTable('users').set({ password_hash: weak }).where('id', '=', user.userId).execute();
    expect((await login(app.url, user.username, user.password)).status).toBe(200);
    const rehashed = (await storedUser(user.userId)).password_hash;
    expect(rehashed).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect((await login(app.url, user.username, user.password)).status).toBe(200);
  });
});

describe('POST /api/auth/login — 400', () => {
  it.each([
    ['without a password', { username: 'someone' }, 'password'],
    ['without a username', { password: 'whatever-password' }, 'username'],
    ['with an empty username', { username: '', password: 'whatever-password' }, 'username'],
    ['with a numeric password', { username: 'someone', password: 12345678 }, 'password'],
  ])('refuses a body %s', async (_name, body, field) => {
    expectFieldErrors(await request(app.url, 'POST', '/api/auth/login', { body }), [field]);
  });
});

describe('POST /api/auth/login — 401', () => {
  it('gives one identical answer for an unknown user, an unknown email and a wrong password', async () => {
    const user = await newUser();
    const wrong = await login(app.url, user.username, 'not-the-password');
    const unknown = await login(app.url, `nobody_${process.pid}`, 'not-the-password');
    const unknownEmail = await login(app.url, `nobody_${process.pid}@example.com`, 'not-the-password');
    expectError(wrong, 401, '用户名或密码错误');
    for (const other of [unknown, unknownEmail]) {
      expect(other.status).toBe(401);
      expect(other.text).toBe(wrong.text);
    }
    expect(await sessionCount(user.userId)).toBe(0);
  });

  it('is case-sensitive about the password', async () => {
    const user = await newUser();
    expectError(await login(app.url, user.username, user.password.toUpperCase()), 401, '用户名或密码错误');
  });
});

describe('POST /api/auth/login — 403 (disabled account)', () => {
  it('answers 403 only after the right password, 401 after a wrong one, and opens no session', async () => {
    const user = await newUser();
    await setUserStatus(app.db, user.userId, 0);
    expectError(await login(app.url, user.username, user.password), 403, '用户账户已被禁用');
    expectError(await login(app.url, user.username, 'not-the-password'), 401, '用户名或密码错误');
    expect(await sessionCount(user.userId)).toBe(0);
    expect((await storedUser(user.userId)).last_login_at).toBeNull();
  });

  it('lets the user in again once re-enabled', async () => {
    const user = await newUser();
    await setUserStatus(app.db, user.userId, 0);
    await setUserStatus(app.db, user.userId, 1);
    expect((await login(app.url, user.username, user.password)).status).toBe(200);
  });
});
