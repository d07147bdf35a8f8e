import {
  ApiError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  NotFoundError,
  PermissionDeniedError,
  createClient,
} from '@bailian-chat/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setUserStatus, uniqueUser } from './support/auth.js';
import { ISO_UTC } from './support/envelope.js';
import { sdkUser } from './support/sdk.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe('SDK: auth (§1) against the real server', () => {
  it('registers, logs in, reports the tokens, and then calls as that user', async () => {
    const { client, user, userId, login, reported } = await sdkUser(`${app.url}/`);
    expect(userId).toBeTypeOf('number');
    expect(login.user).toMatchObject({ user_id: userId, username: user.username, email: user.email });
    expect(reported).toEqual([{ accessToken: login.access_token, refreshToken: login.refresh_token }]);

    const me = await client.auth.me();
    expect(me).toMatchObject({ user_id: userId, username: user.username, nickname: user.username });
    expect(me.last_login_at).toMatch(ISO_UTC);
  });

  it('continues a session from stored tokens', async () => {
    const { login, userId } = await sdkUser(app.url);
    const resumed = createClient({ baseUrl: app.url, accessToken: login.access_token, refreshToken: login.refresh_token });
    expect((await resumed.auth.me()).user_id).toBe(userId);
  });

  it('refreshes on request, keeping the refresh token and reporting the new pair', async () => {
    const { client, login, reported } = await sdkUser(app.url);
    const refreshed = await client.auth.refresh();
    expect(refreshed.expires_in).toBeGreaterThan(0);
    expect(reported.at(-1)).toEqual({ accessToken: refreshed.access_token, refreshToken: login.refresh_token });
    await expect(client.auth.me()).resolves.toMatchObject({ user_id: login.user.user_id });
  });

  it('logs out: the session is revoked and the client forgets its tokens', async () => {
    const { client, login, reported } = await sdkUser(app.url);
    await client.auth.logout();
    // null, so that an app persisting what onTokens says drops the revoked pair too.
    expect(reported).toEqual([{ accessToken: login.access_token, refreshToken: login.refresh_token }, null]);
    await expect(client.auth.me()).rejects.toBeInstanceOf(AuthenticationError);
    const old = createClient({ baseUrl: app.url, accessToken: login.access_token, refreshToken: login.refresh_token });
    await expect(old.auth.me()).rejects.toMatchObject({ status: 401, message: '未认证' });
  });

  it('reports nothing when the logout fails: the session may still be live', async () => {
    const reported: unknown[] = [];
    const client = createClient({ baseUrl: app.url, accessToken: 'not-a-token', onTokens: (t) => reported.push(t) });
    await expect(client.auth.logout()).rejects.toBeInstanceOf(AuthenticationError);
    expect(reported).toEqual([]);
  });

  it('lists the models without any token', async () => {
    const models = await createClient({ baseUrl: app.url }).models.list();
    expect(models.models).toContainEqual({ model_name: 'qwen-vl-max-latest', vision: true });
    expect(models.any_model_allowed).toBe(false);
  });

  it('aborts a call when its signal fires', async () => {
    const call = createClient({ baseUrl: app.url }).models.list({ signal: AbortSignal.abort() });
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('SDK: the server’s errors as error classes', () => {
  it('400 → BadRequestError with the field errors', async () => {
    const error = await createClient({ baseUrl: app.url })
      .auth.register({ ...uniqueUser('bad'), email: 'not-an-email' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ name: 'BadRequestError', status: 400, code: 400, message: '请求参数错误' });
    expect((error as BadRequestError).data?.errors.map((e) => e.field)).toEqual(['email']);
  });

  it('409 → ConflictError', async () => {
    const { user } = await sdkUser(app.url);
    const again = createClient({ baseUrl: app.url }).auth.register(user);
    await expect(again).rejects.toBeInstanceOf(ConflictError);
    await expect(again).rejects.toMatchObject({ status: 409, message: '用户名或邮箱已存在', data: null });
  });

  it('401 → AuthenticationError, without a refresh attempt on a public route', async () => {
    const { user, client, sent } = await sdkUser(app.url);
    sent.length = 0;
    const wrong = client.auth.login({ username: user.username, password: 'not-the-password' });
    await expect(wrong).rejects.toBeInstanceOf(AuthenticationError);
    await expect(wrong).rejects.toMatchObject({ status: 401, message: '用户名或密码错误' });
    expect(sent).toEqual(['POST /api/auth/login']);
  });

  it('403 → PermissionDeniedError', async () => {
    const { client, userId } = await sdkUser(app.url);
    await setUserStatus(app.db, userId, 0);
    await expect(client.auth.me()).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(client.auth.me()).rejects.toMatchObject({ status: 403, message: '用户账户已被禁用' });
  });

  it('404 → NotFoundError', async () => {
    const { client } = await sdkUser(app.url);
    const missing = client.conversations.get(987654321);
    await expect(missing).rejects.toBeInstanceOf(NotFoundError);
    await expect(missing).rejects.toMatchObject({ status: 404, message: '对话不存在' });
  });
});
