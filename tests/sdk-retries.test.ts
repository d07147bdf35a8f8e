import {
  ApiConnectionError,
  ApiError,
  ApiTimeoutError,
  RateLimitError,
  ServiceUnavailableError,
  createClient,
  type ClientOptions,
} from '@bailian-chat/client';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCallsOf, startChatApp, type ChatTestApp } from './support/chat-app.js';
import { eventually } from './support/eventually.js';
import { answer, closedAfterEachTest, envelope, httpServer, refusingUrl, resettingServer } from './support/misbehaving-server.js';
import { sdkUser } from './support/sdk.js';

const MODELS = envelope(200, '获取成功', { models: [], any_model_allowed: true });
const CONVERSATION = envelope(200, '创建成功', {
  conversation_id: 1,
  title: '新对话',
  model_name: 'qwen-plus',
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
});
const rateLimited = (headers: Record<string, string>) => (res: ServerResponse) => answer(res, 429, envelope(429, '请求频率超限'), headers);
const unavailable = (res: ServerResponse) => answer(res, 503, envelope(503, '百炼API服务不可用'));

const serve = closedAfterEachTest();

/** A server that answers its requests in turn with `answers` (the last one again after that), and then `ok`. */
function answering(answers: ((res: ServerResponse, req: IncomingMessage) => void)[], ok: string) {
  return serve(
    httpServer((req, res, index) => {
      const next = answers[index];
      if (next) next(res, req);
      else answer(res, 200, ok);
    }),
  );
}

/** Short waits: the tests are about which failures are retried and how often, not how long the backoff is. */
const quick = (baseUrl: string, options: Partial<ClientOptions> = {}) =>
  createClient({ baseUrl, maxRetryDelay: 10, ...options });

const failureOf = (call: Promise<unknown>) => call.then(() => undefined, (e: unknown) => e);

describe('SDK retries: 429 and 408, for any method, after the wait asked for', () => {
  it('retries a GET after a 429 with Retry-After: 0', async () => {
    const server = await answering([rateLimited({ 'retry-after': '0' })], MODELS);
    await expect(createClient({ baseUrl: server.url }).models.list()).resolves.toEqual({ models: [], any_model_allowed: true });
    expect(server.hits).toBe(2);
  });

  it('retries a POST after a 429: the server refused it before doing anything', async () => {
    const server = await answering([rateLimited({ 'retry-after': '0' }), rateLimited({ 'retry-after': '0' })], CONVERSATION);
    const client = createClient({ baseUrl: server.url, accessToken: 't' });
    await expect(client.conversations.create({ model_name: 'qwen-plus' })).resolves.toMatchObject({ conversation_id: 1 });
    expect(server.hits).toBe(3);
  });

  it('waits as long as retry-after-ms or an HTTP-date Retry-After says', async () => {
    const server = await answering(
      [rateLimited({ 'retry-after-ms': '150', 'retry-after': '0' }), rateLimited({ 'retry-after': new Date(Date.now() - 5_000).toUTCString() })],
      MODELS,
    );
    const started = Date.now();
    await createClient({ baseUrl: server.url }).models.list();
    expect(server.hits).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('does not retry when asked to wait longer than maxRetryDelay: the 429 says when to come back', async () => {
    const server = await answering([rateLimited({ 'retry-after': '900' })], MODELS);
    const started = Date.now();
    const error = await failureOf(createClient({ baseUrl: server.url }).models.list());
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as ApiError).headers.get('retry-after')).toBe('900');
    expect(server.hits).toBe(1);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('retries a 408, and a 429 without Retry-After after a backoff', async () => {
    const server = await answering([(res) => answer(res, 408, envelope(408, 'timeout')), rateLimited({})], CONVERSATION);
    await quick(server.url, { accessToken: 't' }).conversations.create({ model_name: 'qwen-plus' });
    expect(server.hits).toBe(3);
  });

  it('gives up after maxRetries retries with the last answer; 0 and a call’s own maxRetries are kept', async () => {
    const always = await serve(httpServer((_req, res) => rateLimited({ 'retry-after': '0' })(res)));
    await expect(createClient({ baseUrl: always.url }).models.list()).rejects.toBeInstanceOf(RateLimitError);
    expect(always.hits).toBe(3);
    await expect(createClient({ baseUrl: always.url, maxRetries: 0 }).models.list()).rejects.toBeInstanceOf(RateLimitError);
    expect(always.hits).toBe(4);
    await expect(createClient({ baseUrl: always.url, maxRetries: 0 }).models.list({ maxRetries: 4 })).rejects.toBeInstanceOf(RateLimitError);
    expect(always.hits).toBe(9);
    expect(() => createClient({ baseUrl: always.url, maxRetries: -1 })).toThrow(RangeError);
  });

  it('stops waiting for a retry when the caller aborts', async () => {
    const server = await answering([rateLimited({ 'retry-after': '30' })], MODELS);
    const controller = new AbortController();
    const call = failureOf(createClient({ baseUrl: server.url }).models.list({ signal: controller.signal }));
    await eventually(() => expect(server.hits).toBe(1));
    controller.abort();
    expect(await call).toMatchObject({ name: 'AbortError' });
    expect(server.hits).toBe(1);
  });
});

describe('SDK retries: 502, 503 and 504 only where a second try cannot do the work twice', () => {
  it('retries a GET and a DELETE', async () => {
    const gateway = (status: number) => (res: ServerResponse) => res.writeHead(status, { 'content-type': 'text/html' }).end('<html></html>');
    const server = await answering([gateway(502), unavailable, gateway(504)], MODELS);
    await quick(server.url, { maxRetries: 3 }).models.list();
    expect(server.hits).toBe(4);

    const deleting = await answering([unavailable], envelope(200, '删除成功', null));
    await quick(deleting.url, { accessToken: 't' }).conversations.delete(1);
    expect(deleting.hits).toBe(2);
  });

  it('does not retry a POST or a PATCH: the work may have been done', async () => {
    const server = await answering([unavailable, unavailable, unavailable], CONVERSATION);
    const client = quick(server.url, { accessToken: 't' });
    await expect(client.conversations.create({ model_name: 'qwen-plus' })).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(client.conversations.update(1, { title: 'x' })).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(client.messages.send(1, { content: [{ type: 'text', text: 'hi' }] })).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(server.hits).toBe(3);
  });

  it('does not retry a 500', async () => {
    const server = await answering([(res) => answer(res, 500, envelope(500, '服务器内部错误'))], MODELS);
    await expect(quick(server.url).models.list()).rejects.toMatchObject({ status: 500 });
    expect(server.hits).toBe(1);
  });
});

describe('SDK retries: requests that got no answer', () => {
  it('retries a GET whose connection was reset, and a POST’s never', async () => {
    const server = await serve(resettingServer());
    await expect(quick(server.url).models.list()).rejects.toBeInstanceOf(ApiConnectionError);
    expect(server.hits).toBe(3);
    await expect(quick(server.url, { accessToken: 't' }).conversations.create({ model_name: 'qwen-plus' })).rejects.toBeInstanceOf(
      ApiConnectionError,
    );
    expect(server.hits).toBe(4);
  });

  it('retries any request whose connection was refused: it was never sent', async () => {
    let sent = 0;
    const counting: typeof fetch = (input, init) => {
      sent += 1;
      return fetch(input, init);
    };
    const client = quick(await refusingUrl(), { fetch: counting, accessToken: 't' });
    await expect(client.auth.register({ username: 'someone', email: 'a@b.co', password: 'long enough pw' })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
    expect(sent).toBe(3);
  });

  it('retries a GET that timed out, and not a POST (the server may be working on it)', async () => {
    const server = await serve(httpServer(() => {}));
    await expect(quick(server.url, { timeout: 50 }).models.list()).rejects.toBeInstanceOf(ApiTimeoutError);
    expect(server.hits).toBe(3);
    const stream = quick(server.url, { timeout: 50, accessToken: 't' }).chat.stream({ model: 'qwen-plus', messages: [{ role: 'user', content: 'hi' }] });
    await expect(stream[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(ApiTimeoutError);
    expect(server.hits).toBe(4);
  });
});

describe('SDK retries with the refresh after a 401', () => {
  it('refreshes once, and the resend does not get a budget of its own', async () => {
    const refreshes: number[] = [];
    const server = await serve(
      httpServer((req, res, index) => {
        if (req.url === '/api/auth/refresh') {
          refreshes.push(index);
          return answer(res, 200, envelope(200, '刷新成功', { access_token: 'new', token_type: 'Bearer', expires_in: 3600 }));
        }
        if (req.headers.authorization === 'Bearer old') return answer(res, 401, envelope(401, '未认证'));
        unavailable(res);
      }),
    );
    const client = quick(server.url, { accessToken: 'old', refreshToken: 'r' });
    await expect(client.auth.me()).rejects.toBeInstanceOf(ServiceUnavailableError);
    // 401, refresh, 503, 503, 503: maxRetries (2) retries in all, one refresh.
    expect(refreshes).toHaveLength(1);
    expect(server.hits).toBe(5);
  });
});

describe('SDK retries against the real server', () => {
  let app: ChatTestApp;
  beforeAll(async () => {
    app = await startChatApp({ CHAT_RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(() => app.close());
  const question = { model: 'qwen-plus', messages: [{ role: 'user' as const, content: '你好' }] };

  it('retries a chat call DashScope refused with a 429, and records both', async () => {
    const { client, userId } = await sdkUser(app.url, { maxRetryDelay: 10 });
    const before = app.fake.requests.length;
    app.fake.next({ error: 'limit_requests' });
    await expect(client.chat.completions(question)).resolves.toMatchObject({ object: 'chat.completion' });
    expect(app.fake.requests.length - before).toBe(2);
    const rows = await eventually(async () => {
      const rows = await apiCallsOf(app.db, userId);
      expect(rows).toHaveLength(2);
      return rows;
    });
    expect(rows.map((r) => r.status_code)).toEqual([429, 200]);
  });

  it('does not retry a chat call that failed after it reached DashScope (503)', async () => {
    const { client } = await sdkUser(app.url, { maxRetryDelay: 10 });
    const before = app.fake.requests.length;
    app.fake.next({ error: 'internal_error' });
    await expect(client.chat.completions(question)).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(app.fake.requests.length - before).toBe(1);
  });

  it('does not wait out our own chat limit past maxRetryDelay', async () => {
    const { client } = await sdkUser(app.url, { maxRetryDelay: 1_000 });
    for (let i = 0; i < 3; i += 1) await client.chat.completions(question);
    const before = app.fake.requests.length;
    const error = await failureOf(client.chat.completions(question));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(Number((error as ApiError).headers.get('retry-after'))).toBeGreaterThan(1);
    expect(app.fake.requests.length).toBe(before);
  });
});
