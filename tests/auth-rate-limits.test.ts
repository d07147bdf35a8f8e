import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAndLogin, uniqueUser } from './support/auth.js';
import { expectError } from './support/envelope.js';
import { request, type JsonResponse } from './support/http.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { reachableStringsStartingWith } from './support/heap.js';
import { LOGIN_MAX } from '@bailian-chat/contract';
import { randomUUID } from 'node:crypto';

// TRUST_PROXY=1 makes X-Forwarded-For the client IP, so one test process can be several clients.
const fromIp = (ip: string) => ({ 'x-forwarded-for': ip });

function expectRateLimited(res: JsonResponse, windowSeconds: number): void {
  expectError(res, 429, '请求频率超限');
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
}

describe('registrations per IP (REGISTER_RATE_LIMIT_PER_HOUR=2)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ REGISTER_RATE_LIMIT_PER_HOUR: '2', TRUST_PROXY: '1' });
  });
  afterAll(() => app.close());

  const registerFrom = (ip: string, body = uniqueUser('rl')) =>
    request(app.url, 'POST', '/api/auth/register', { body, headers: fromIp(ip) });

  it('answers the third registration from one IP with 429 and Retry-After, and stores nothing', async () => {
    expect((await registerFrom('203.0.113.1')).status).toBe(200);
    expect((await registerFrom('203.0.113.1')).status).toBe(200);
    const third = uniqueUser('rl');
    expectRateLimited(await registerFrom('203.0.113.1', third), 3600);
    const stored = await app.db.selectFrom('users').select('id').where('username', '=', third.username).execute();
    expect(stored).toHaveLength(0);
  });

  it('does not limit another IP', async () => {
    expect((await registerFrom('203.0.113.2')).status).toBe(200);
  });
});

describe('failed logins per username + IP (LOGIN_MAX_FAILURES=3)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ LOGIN_MAX_FAILURES: '3', TRUST_PROXY: '1' });
  });
  afterAll(() => app.close());

  const loginFrom = (ip: string, username: string, password: string) =>
    request(app.url, 'POST', '/api/auth/login', { body: { username, password }, headers: fromIp(ip) });

  async function failThrice(ip: string, username: string) {
    for (let i = 0; i < 3; i += 1) {
      expectError(await loginFrom(ip, username, 'wrong-password'), 401, '用户名或密码错误');
    }
  }

  it('answers the 4th attempt 429 even with the right password', async () => {
    const { user } = await registerAndLogin(app.url);
    await failThrice('198.51.100.1', user.username);
    expectRateLimited(await loginFrom('198.51.100.1', user.username, user.password), 900);
    expectRateLimited(await loginFrom('198.51.100.1', user.username.toUpperCase(), user.password), 900);
  });

  it('counts the failures against the account, whether it is named by username or by email', async () => {
    const { user } = await registerAndLogin(app.url);
    await failThrice('198.51.100.5', user.username);
    expectRateLimited(await loginFrom('198.51.100.5', user.email.toUpperCase(), 'wrong-password'), 900);
  });

  it('leaves another username from the same IP, and the same username from another IP, alone', async () => {
    const victim = await registerAndLogin(app.url);
    const other = await registerAndLogin(app.url);
    await failThrice('198.51.100.2', victim.user.username);
    expectError(await loginFrom('198.51.100.2', other.user.username, 'wrong-password'), 401, '用户名或密码错误');
    expect((await loginFrom('198.51.100.2', other.user.username, other.user.password)).status).toBe(200);
    expect((await loginFrom('198.51.100.3', victim.user.username, victim.user.password)).status).toBe(200);
  });

  it('keeps a forwarded client address longer than its column to 64 characters', async () => {
    const { user } = await registerAndLogin(app.url);
    const res = await loginFrom('x'.repeat(300), user.username, user.password);
    expect(res.status).toBe(200);
    const sessions = await app.db.selectFrom('sessions').select('client_ip').orderBy('id', 'desc').limit(1).execute();
    expect(sessions[0]!.client_ip).toBe('x'.repeat(64));
  });

  it('does not count successful logins', async () => {
    const { user } = await registerAndLogin(app.url);
    for (let i = 0; i < 5; i += 1) {
      expect((await loginFrom('198.51.100.4', user.username, user.password)).status).toBe(200);
    }
  });
});

describe('failed logins per IP, whatever accounts they name (LOGIN_MAX_FAILURES_PER_IP=4)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ LOGIN_MAX_FAILURES_PER_IP: '4', TRUST_PROXY: '1' });
  });
  afterAll(() => app.close());

  const loginFrom = (ip: string, username: string, password: string) =>
    request(app.url, 'POST', '/api/auth/login', { body: { username, password }, headers: fromIp(ip) });
  const sessionsOf = async (userId: number) =>
    (await app.db.selectFrom('sessions').select('id').where('user_id', '=', userId).execute()).length;

  it('answers 429 once one IP has failed on four different accounts, and opens no session', async () => {
    for (const name of ['spray_a', 'spray_b', 'spray_c', 'spray_d']) {
      expectError(await loginFrom('192.0.2.7', name, 'Summer2026!'), 401, '用户名或密码错误');
    }
    const { user, userId } = await registerAndLogin(app.url);
    const before = await sessionsOf(userId);
    expectRateLimited(await loginFrom('192.0.2.7', user.username, user.password), 900);
    expect(await sessionsOf(userId)).toBe(before);
  });

  it('leaves another IP alone', async () => {
    const { user } = await registerAndLogin(app.url);
    expect((await loginFrom('192.0.2.8', user.username, user.password)).status).toBe(200);
  });
});

describe('the two login limits together (LOGIN_MAX_FAILURES=2, LOGIN_MAX_FAILURES_PER_IP=4)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ LOGIN_MAX_FAILURES: '2', LOGIN_MAX_FAILURES_PER_IP: '4', TRUST_PROXY: '1' });
  });
  afterAll(() => app.close());

  const loginFrom = (ip: string, username: string, password: string) =>
    request(app.url, 'POST', '/api/auth/login', { body: { username, password }, headers: fromIp(ip) });

  it("does not spend the IP's budget on retries of an account already locked", async () => {
    const locked = await registerAndLogin(app.url);
    for (let i = 0; i < 2; i += 1) expectError(await loginFrom('192.0.2.20', locked.user.username, 'wrong-password'), 401, '用户名或密码错误');
    for (let i = 0; i < 5; i += 1) expectRateLimited(await loginFrom('192.0.2.20', locked.user.username, 'wrong-password'), 900);
    const neighbour = await registerAndLogin(app.url);
    expect((await loginFrom('192.0.2.20', neighbour.user.username, neighbour.user.password)).status).toBe(200);
  });

  it('answers with the same rate-limit headers whether the account exists or not', async () => {
    const { user } = await registerAndLogin(app.url);
    const known = await loginFrom('192.0.2.21', user.username, 'wrong-password');
    const unknown = await loginFrom('192.0.2.22', 'nobody_by_this_name', 'wrong-password');
    expect(known.status).toBe(401);
    expect(unknown.status).toBe(401);
    // The reset time may differ by a second between the two; the policy, and the absence of any
    // hash of the key, may not.
    expect(known.headers.get('ratelimit-policy')).not.toBeNull();
    expect(known.headers.get('ratelimit-policy')).toBe(unknown.headers.get('ratelimit-policy'));
    for (const res of [known, unknown]) expect(res.headers.get('ratelimit')).not.toMatch(/pk=/);
  });
});

describe('failed logins remembered by the limiter', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('remember the name a login gave clipped to the longest login, not the whole body it came in', async () => {
    const marker = `name-${randomUUID()}`;
    // A 60 KB name: refused (400), and counted as a failure for 15 minutes under the name it gives.
    const failed = async () => (await request(app.url, 'POST', '/api/auth/login', { body: { username: marker.padEnd(60_000, 'x'), password: 'wrong-password' } })).status;
    expect(await failed()).toBe(400);
    // The key may hold LOGIN_MAX characters of the name; a slice of the body kept all 60,000 alive.
    const kept = await reachableStringsStartingWith(marker);
    expect(kept.filter((s) => s.length > LOGIN_MAX)).toEqual([]);
  });
});
