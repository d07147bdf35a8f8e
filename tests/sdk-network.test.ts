import { ApiConnectionError, ApiError, ApiTimeoutError, createClient } from '@bailian-chat/client';
import { describe, expect, it } from 'vitest';
import { answer, closedAfterEachTest, envelope, httpServer, refusingUrl, resettingServer } from './support/misbehaving-server.js';

const MODELS = envelope(200, '获取成功', { models: [], any_model_allowed: true });
const chunk = (text: string) =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'qwen-plus', choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n\n`;

const serve = closedAfterEachTest();

const failureOf = (call: Promise<unknown>) => call.then(() => undefined, (e: unknown) => e);

describe('SDK: a request that gets no answer is an ApiConnectionError, not fetch’s bare TypeError', () => {
  it('a refused connection', async () => {
    const error = await failureOf(createClient({ baseUrl: await refusingUrl(), maxRetries: 0 }).models.list());
    expect(error).toBeInstanceOf(ApiConnectionError);
    expect(error).not.toBeInstanceOf(ApiError);
    expect(error).not.toBeInstanceOf(ApiTimeoutError);
    expect(error).toMatchObject({ name: 'ApiConnectionError', code: 'ECONNREFUSED', message: 'no answer from the server (ECONNREFUSED)' });
    // The error fetch gave, for whoever needs more than the code.
    expect((error as Error).cause).toMatchObject({ name: 'TypeError', message: 'fetch failed' });
  });

  it('a connection the server closes once the request is in', async () => {
    const server = await serve(resettingServer());
    const error = await failureOf(createClient({ baseUrl: server.url, maxRetries: 0 }).conversations.create({ model_name: 'qwen-plus' }));
    expect(error).toBeInstanceOf(ApiConnectionError);
    expect(error).toMatchObject({ code: 'UND_ERR_SOCKET' });
  });

  it('a body that breaks off after the headers', async () => {
    const server = await serve(
      httpServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' }).write('{"code":200,');
        setTimeout(() => res.socket?.destroy(), 20);
      }),
    );
    const error = await failureOf(createClient({ baseUrl: server.url, maxRetries: 0 }).models.list());
    expect(error).toBeInstanceOf(ApiConnectionError);
    expect(error).not.toBeInstanceOf(ApiTimeoutError);
  });
});

describe('SDK: timeout', () => {
  const hanging = () => serve(httpServer(() => {}));

  it('aborts a call that gets no answer in time, with ApiTimeoutError', async () => {
    const server = await hanging();
    const started = Date.now();
    const error = await failureOf(createClient({ baseUrl: server.url, timeout: 100, maxRetries: 0 }).models.list());
    expect(error).toBeInstanceOf(ApiTimeoutError);
    expect(error).toBeInstanceOf(ApiConnectionError);
    expect(error).toMatchObject({ name: 'ApiTimeoutError', timeout: 100, message: 'no answer from the server within 100 ms' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('a call’s own timeout overrides the client’s', async () => {
    const server = await hanging();
    const client = createClient({ baseUrl: server.url, timeout: 60_000, maxRetries: 0 });
    await expect(client.models.list({ timeout: 50 })).rejects.toMatchObject({ name: 'ApiTimeoutError', timeout: 50 });
  });

  it('covers the body of a JSON answer, not only its headers', async () => {
    const server = await serve(
      httpServer((_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).write('{"code":200,')),
    );
    await expect(createClient({ baseUrl: server.url, timeout: 100, maxRetries: 0 }).models.list()).rejects.toBeInstanceOf(ApiTimeoutError);
  });

  it('leaves an answer in time alone', async () => {
    const server = await serve(httpServer((_req, res) => setTimeout(() => answer(res, 200, MODELS), 30)));
    await expect(createClient({ baseUrl: server.url, timeout: 2_000 }).models.list()).resolves.toEqual({ models: [], any_model_allowed: true });
  });

  it('leaves a caller’s abort an AbortError, with or without a timeout', async () => {
    const server = await hanging();
    const client = createClient({ baseUrl: server.url, timeout: 5_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const error = await failureOf(client.models.list({ signal: controller.signal }));
    expect(error).toMatchObject({ name: 'AbortError' });
    expect(error).not.toBeInstanceOf(ApiConnectionError);
    await expect(client.models.list({ signal: AbortSignal.timeout(30) })).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('refuses a timeout setTimeout cannot keep', async () => {
    expect(() => createClient({ baseUrl: 'http://127.0.0.1:3000', timeout: 0 })).toThrow(RangeError);
    expect(() => createClient({ baseUrl: 'http://127.0.0.1:3000', timeout: 2 ** 31 })).toThrow(RangeError);
    await expect(createClient({ baseUrl: 'http://127.0.0.1:3000' }).models.list({ timeout: Number.NaN })).rejects.toThrow(RangeError);
  });

  it('covers the start of a chat stream, not the whole reply', async () => {
    const server = await serve(
      httpServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(chunk('a'));
        // The reply goes on well past the timeout.
        setTimeout(() => res.end(chunk('b') + 'data: [DONE]\n\n'), 300);
      }),
    );
    const client = createClient({ baseUrl: server.url, accessToken: 't', timeout: 100 });
    const text: string[] = [];
    for await (const c of client.chat.stream({ model: 'qwen-plus', messages: [{ role: 'user', content: 'hi' }] })) {
      text.push(c.choices[0]?.delta.content ?? '');
    }
    expect(text).toEqual(['a', 'b']);
  });

  it('times out a chat stream that does not begin', async () => {
    const server = await hanging();
    const stream = createClient({ baseUrl: server.url, accessToken: 't' }).chat.stream(
      { model: 'qwen-plus', messages: [{ role: 'user', content: 'hi' }] },
      { timeout: 100 },
    );
    await expect(stream[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(ApiTimeoutError);
  });
});
