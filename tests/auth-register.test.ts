import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, register, uniqueUser } from './support/auth.js';
import { expectError, expectFieldErrors, expectNothingLeaked, ISO_UTC } from './support/envelope.js';
import { request } from './support/http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let app: TestApp;
beforeAll(async () => {
  // Every test registers from 127.0.0.1; the per-IP limit has its own suite (auth-rate-limits).
  app = await startTestApp({ REGISTER_RATE_LIMIT_PER_HOUR: '1000' });
});
afterAll(() => app.close());

function storedUser(username: string) {
  return app.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
}

describe('POST /api/auth/register — 200', () => {
  it('answers 注册成功 with exactly the spec fields and no password', async () => {
    const user = uniqueUser('reg', { nickname: '小明', phone: '+8613800138000' });
    const res = await register(app.url, user);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      code: 200,
      message: '注册成功',
      data: {
        user_id: expect.any(Number),
        username: user.username,
        email: user.email,
        nickname: '小明',
        avatar_url: null,
        phone: '+8613800138000',
        status: 1,
        created_at: expect.stringMatching(ISO_UTC),
      },
    });
    expect(Number.isInteger(res.body.data.user_id)).toBe(true);
    expectNothingLeaked(res, [user.password]);
  });

  it('defaults the nickname to the username and the phone to null', async () => {
    const user = uniqueUser('nick');
    const res = await register(app.url, user);
    expect(res.body.data).toMatchObject({ nickname: user.username, phone: null });
    expect(await storedUser(user.username)).toMatchObject({ nickname: user.username, phone: null, last_login_at: null });
  });

  it('stores the email lower-case and answers it lower-case', async () => {
    const user = uniqueUser('mail');
    const res = await register(app.url, { ...user, email: user.email.toUpperCase() });
    expect(res.status).toBe(200);
    expect(res.body.data.email).toBe(user.email.toLowerCase());
    expect((await storedUser(user.username))?.email).toBe(user.email.toLowerCase());
  });

  it('ignores fields a client may not set (status, user_id)', async () => {
    const user = uniqueUser('mass');
    const res = await register(app.url, { ...user, status: 0, user_id: 999_999, avatar_url: 'http://x/y.png' });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ status: 1, avatar_url: null });
    expect(res.body.data.user_id).not.toBe(999_999);
    expect((await login(app.url, user.username, user.password)).status).toBe(200);
  });

  it.each(['13800138000', '+8613800138000', '+14155552671', '19912345678'])('accepts the phone %s', async (phone) => {
    const res = await register(app.url, uniqueUser('phone', { phone }));
    expect(res.status, res.text).toBe(200);
    expect(res.body.data.phone).toBe(phone);
  });

  // Characters are code points: an emoji is one, though it is two UTF-16 units.
  it('accepts passwords of 8 and 128 characters', async () => {
    for (const password of ['x7#Kp2!q', 'k'.repeat(127) + '9', '🔑'.repeat(8), '9' + '🔑'.repeat(127)]) {
      const user = uniqueUser('len', { password });
      expect((await register(app.url, user)).status).toBe(200);
      expect((await login(app.url, user.username, password)).status).toBe(200);
    }
  });

  it('stores an argon2id hash with m=19456, t=2, p=1 and never the password', async () => {
    const user = uniqueUser('hash');
    await register(app.url, user);
    const row = await storedUser(user.username);
    expect(row?.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(JSON.stringify(row)).not.toContain(user.password);
  });
});

describe('POST /api/auth/register — 400', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['a 2-character username', { username: 'ab' }, 'username'],
    ['a 33-character username', { username: 'a'.repeat(33) }, 'username'],
    ['a username with a space', { username: 'bad name' }, 'username'],
    ['a username with @', { username: 'bad@name' }, 'username'],
    ['an invalid email', { email: 'not-an-email' }, 'email'],
    ['a 7-character password', { password: 'x7#Kp2!' }, 'password'],
    ['a 129-character password', { password: 'k'.repeat(129) }, 'password'],
    ['a 7-character password of emoji (14 UTF-16 units)', { password: '🔑'.repeat(7) }, 'password'],
    ['a 129-character password of emoji', { password: '🔑'.repeat(129) }, 'password'],
    ['an empty nickname', { nickname: '' }, 'nickname'],
    ['a 51-character nickname', { nickname: '名'.repeat(51) }, 'nickname'],
    ['a 51-character nickname of CJK Extension B', { nickname: '𠀀'.repeat(51) }, 'nickname'],
    ['a phone too short', { phone: '12345' }, 'phone'],
    ['a mainland number not starting 13–19', { phone: '12800138000' }, 'phone'],
    ['a mainland number of 10 digits', { phone: '1380013800' }, 'phone'],
    ['an E.164 number starting +0', { phone: '+0123456789' }, 'phone'],
    ['a phone with letters', { phone: '+86138abc8000' }, 'phone'],
    ['a numeric username', { username: 12345 }, 'username'],
  ];

  it.each(cases)('refuses %s', async (_name, change, field) => {
    const user = { ...uniqueUser('bad'), ...change };
    const res = await register(app.url, user);
    expectFieldErrors(res, [field]);
    expect(await storedUser(String(user.username))).toBeUndefined();
  });

  it.each(['username', 'email', 'password'])('refuses a body without %s', async (field) => {
    const body: Record<string, unknown> = { ...uniqueUser('miss') };
    delete body[field];
    expectFieldErrors(await register(app.url, body), [field]);
  });

  it('names every bad field at once', async () => {
    const res = await register(app.url, { username: 'x', email: 'y', password: 'z' });
    expectFieldErrors(res, ['username', 'email', 'password']);
  });

  it('refuses a body that is not JSON', async () => {
    const res = await request(app.url, 'POST', '/api/auth/register', {
      rawBody: 'username=a&password=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 400, message: '请求参数错误' });
  });

  it.each(['password123', 'iloveyou', 'PASSWORD123', 'qwertyuiop'])('refuses the common password %s', async (password) => {
    const user = uniqueUser('common', { password });
    const res = await register(app.url, user);
    expectFieldErrors(res, ['password']);
    expect(await storedUser(user.username)).toBeUndefined();
  });
});

describe('POST /api/auth/register — 409', () => {
  it('refuses a username that differs only in case (Alice vs alice)', async () => {
    const first = uniqueUser('Alice');
    expect((await register(app.url, first)).status).toBe(200);
    const second = uniqueUser('x', { username: first.username.toLowerCase() });
    expectError(await register(app.url, second), 409, '用户名或邮箱已存在');
    const again = uniqueUser('x', { username: first.username.toUpperCase() });
    expectError(await register(app.url, again), 409, '用户名或邮箱已存在');
    expect(await storedUser(second.username)).toBeUndefined();
  });

  it('refuses an email already used, whatever its case', async () => {
    const first = uniqueUser('dup');
    await register(app.url, first);
    const second = uniqueUser('other', { email: first.email.toUpperCase() });
    expectError(await register(app.url, second), 409, '用户名或邮箱已存在');
    expect(await storedUser(second.username)).toBeUndefined();
  });

  it('keeps one account when two identical registrations race', async () => {
    const user = uniqueUser('race');
    const answers = await Promise.all([register(app.url, user), register(app.url, user)]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    const rows = await app.db.selectFrom('users').select('id').where('username', '=', user.username).execute();
    expect(rows).toHaveLength(1);
  });
});
