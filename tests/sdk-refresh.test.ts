import { AuthenticationError, createClient, type Tokens } from '@bailian-chat/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimsOf, signHs } from './support/jwt-forge.js';
import { recordingFetch, sdkUser } from './support/sdk.js';
import { TEST_JWT_SECRET, startTestApp, type TestApp } from './support/test-app.js';

/** The same session's access token, signed with the server's key, that expired a minute ago. */
function expired(accessToken: string): string {
  const claims = claimsOf(accessToken);
  const now = Math.floor(Date.now() / 1000);
  return signHs({ ...claims, iat: now - 120, exp: now - 60 }, TEST_JWT_SECRET);
}

/** A second client resuming the session with an expired access token, recording what it does. */
function resumeExpired(baseUrl: string, login: { access_token: string; refresh_token: string }) {
  const recorded = recordingFetch();
  const reported: (Tokens | null)[] = [];
  const client = createClient({
    baseUrl,
    accessToken: expired(login.access_token),
    refreshToken: login.refresh_token,
    onTokens: (t) => reported.push(t),
    fetch: recorded.fetch,
  });
  return { client, reported, sent: recorded.sent };
}

const refreshes = (sent: string[]) => sent.filter((r) => r === 'POST /api/auth/refresh').length;

describe('SDK: an expired access token is refreshed once and the call retried', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('shares one refresh between concurrent calls, and reports the new token once', async () => {
    const { login, userId } = await sdkUser(app.url);
    const { client, reported, sent } = resumeExpired(app.url, login);

    const results = await Promise.all([
      client.auth.me(),
      client.auth.me(),
      client.conversations.list(),
      client.history.statistics(),
      client.auth.me(),
    ]);
    expect(results[0].user_id).toBe(userId);
    expect(results[2].conversations).toEqual([]);
    expect(refreshes(sent)).toBe(1);
    expect(sent.filter((r) => r === 'GET /api/auth/user')).toHaveLength(6);
    expect(reported).toHaveLength(1);
    expect(reported[0]!.refreshToken).toBe(login.refresh_token);

    // The new token is kept: the next call needs no refresh.
    sent.length = 0;
    await client.auth.me();
    expect(sent).toEqual(['GET /api/auth/user']);
  });

  it('gives the original 401 when the refresh token is no good, without retrying the call', async () => {
    const { login } = await sdkUser(app.url);
    const { client, sent } = resumeExpired(app.url, { ...login, refresh_token: 'no-such-refresh-token' });
    const call = client.auth.me();
    await expect(call).rejects.toBeInstanceOf(AuthenticationError);
    await expect(call).rejects.toMatchObject({ status: 401, message: '未认证' });
    expect(sent).toEqual(['GET /api/auth/user', 'POST /api/auth/refresh']);
  });

  it('does not refresh without a refresh token', async () => {
    const recorded = recordingFetch();
    const client = createClient({ baseUrl: app.url, accessToken: 'not-a-token', fetch: recorded.fetch });
    await expect(client.auth.me()).rejects.toBeInstanceOf(AuthenticationError);
    expect(recorded.sent).toEqual(['GET /api/auth/user']);
  });
});

describe('SDK: refresh with REFRESH_TOKEN_ROTATION', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ REFRESH_TOKEN_ROTATION: 'true' });
  });
  afterAll(() => app.close());

  // With rotation, spending one refresh token twice revokes the session: only a shared refresh survives.
  it('spends the refresh token once for concurrent calls and keeps the rotated one', async () => {
    const { login, userId } = await sdkUser(app.url);
    const { client, reported, sent } = resumeExpired(app.url, login);
    const users = await Promise.all([client.auth.me(), client.auth.me(), client.auth.me(), client.auth.me()]);
    expect(users.map((u) => u.user_id)).toEqual([userId, userId, userId, userId]);
    expect(refreshes(sent)).toBe(1);
    expect(reported).toHaveLength(1);
    expect(reported[0]!.refreshToken).toBeDefined();
    expect(reported[0]!.refreshToken).not.toBe(login.refresh_token);

    // The session is still alive, and the rotated refresh token is the one the client now uses.
    await expect(client.auth.refresh()).resolves.toMatchObject({ expires_in: expect.any(Number) });
    expect(reported).toHaveLength(2);
    expect(await client.auth.me()).toMatchObject({ user_id: userId });
  });
});

describe('SDK: a token that expires for real (ACCESS_TOKEN_TTL=1)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ ACCESS_TOKEN_TTL: '1' });
  });
  afterAll(() => app.close());

  it('keeps working after the access token expired', async () => {
    const { client, userId, reported, sent } = await sdkUser(app.url);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    sent.length = 0;
    const [a, b] = await Promise.all([client.auth.me(), client.conversations.list()]);
    expect(a.user_id).toBe(userId);
    expect(b.pagination.total).toBe(0);
    expect(refreshes(sent)).toBe(1);
    expect(reported).toHaveLength(2);
  });
});
