import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register, uniqueUser } from './support/auth.js';
import { createAccount, request } from './support/http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const ORIGIN = 'https://chat.example';
const CHAT = '/api/bailian/chat/completions';

/** A browser's preflight for a JSON POST with a bearer token, as `origin`. */
function preflight(app: TestApp, path: string, origin: string) {
  return fetch(app.url + path, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
  });
}

const exposed = (headers: Headers) => headers.get('access-control-expose-headers')?.split(/,\s*/) ?? [];

describe('CORS with CORS_ORIGINS set', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ CORS_ORIGINS: `${ORIGIN},https://other.example`, REGISTER_RATE_LIMIT_PER_HOUR: '1' });
  });
  afterAll(() => app.close());

  it('answers a preflight from an allowed origin with 204, the methods and headers a chat call needs, kept 10 minutes', async () => {
    const res = await preflight(app, CHAT, ORIGIN);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
    expect(res.headers.get('access-control-max-age')).toBe('600');
  });

  it('gives an origin not on the list no CORS headers, so the browser refuses the call', async () => {
    const res = await preflight(app, CHAT, 'https://evil.example');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const answer = await request(app.url, 'GET', '/api/models', { headers: { origin: 'https://evil.example' } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets a script on an allowed origin read an answer and its request id', async () => {
    const alice = await createAccount(app.url, 'alice');
    const res = await request(app.url, 'GET', '/api/conversations', { token: alice.accessToken, headers: { origin: ORIGIN } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(res.headers.get('vary')).toContain('Origin');
    expect(exposed(res.headers)).toContain('X-Request-Id');
  });

  it('lets it read when a 429 says to come back (Retry-After and the RateLimit headers)', async () => {
    await register(app.url, uniqueUser('first'));
    const res = await request(app.url, 'POST', '/api/auth/register', { body: uniqueUser('second'), headers: { origin: ORIGIN } });
    expect(res.status).toBe(429);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(res.headers.get('ratelimit')).not.toBeNull();
    expect(exposed(res.headers)).toEqual(expect.arrayContaining(['Retry-After', 'RateLimit', 'RateLimit-Policy']));
  });
});

describe('CORS without CORS_ORIGINS (the default)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('sends no CORS headers and answers a preflight as an unknown route', async () => {
    const res = await preflight(app, CHAT, ORIGIN);
    expect(res.status).toBe(404);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const answer = await request(app.url, 'GET', '/api/models', { headers: { origin: ORIGIN } });
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
  });
});
