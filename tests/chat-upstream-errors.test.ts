import { ChatCompletionChunkSchema, ChatCompletionSchema } from '@bailian-chat/contract';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCallsOf, chat, chatRaw, startChatApp, TEST_API_KEY, type ChatTestApp } from './support/chat-app.js';
import { expectError, expectNothingLeaked } from './support/envelope.js';
import { eventually } from './support/eventually.js';
import { DEFAULT_REPLY, FAKE_ERRORS, type FakeBehaviour } from './support/fake-dashscope.js';
import { createAccount } from './support/http.js';
import { readSseData } from './support/sse.js';

const hello = { model: 'qwen-plus', messages: [{ role: 'user', content: '你好' }] };

/** The app's last api_calls row for `userId`, once it has `count` of them. */
async function callNumber(app: ChatTestApp, userId: number, count: number) {
  return eventually(async () => {
    const rows = await apiCallsOf(app.db, userId);
    expect(rows).toHaveLength(count);
    return rows[count - 1]!;
  });
}

describe('upstream errors, mapped case by case', () => {
  const logLines: string[] = [];
  let app: ChatTestApp;
  let token: string;
  let userId: number;
  let calls = 0;
  beforeAll(async () => {
    app = await startChatApp({}, pino({ level: 'info' }, { write: (line: string) => logLines.push(line) }));
    ({ accessToken: token, userId } = await createAccount(app.url, 'mapper'));
  });
  afterAll(() => app.close());

  /** Makes one call with upstream behaving as `behaviour`; returns the answer and its api_calls row. */
  async function callWith(behaviour: FakeBehaviour) {
    app.fake.next(behaviour);
    const res = await chat(app, token, hello);
    calls += 1;
    const row = await callNumber(app, userId, calls);
    expect(row.upstream_request_id === null || row.upstream_request_id === app.fake.last.requestId).toBe(true);
    return { res, row };
  }

  /** The same, streamed: the answer, the `data:` payloads it relayed and its api_calls row. */
  async function streamWith(behaviour: FakeBehaviour) {
    app.fake.next(behaviour);
    const res = await chatRaw(app, token, { ...hello, stream: true });
    const frames = await readSseData(res);
    calls += 1;
    return { res, frames, row: await callNumber(app, userId, calls) };
  }

  it('upstream 400 → 400 with upstream message', async () => {
    const { res, row } = await callWith({ error: 'invalid_parameter' });
    expectError(res, 400, FAKE_ERRORS.invalid_parameter.message);
    expect(row).toMatchObject({
      status_code: 400,
      error_code: 'invalid_parameter_error',
      upstream_request_id: app.fake.last.requestId,
    });
  });

  it('content moderation (data_inspection_failed) → 400 with upstream message', async () => {
    const { res, row } = await callWith({ error: 'data_inspection_failed' });
    expectError(res, 400, FAKE_ERRORS.data_inspection_failed.message);
    expect(row).toMatchObject({ status_code: 400, error_code: 'data_inspection_failed' });
  });

  it('a model upstream does not know (404 model_not_found) → 400 with upstream message', async () => {
    const { res, row } = await callWith({ error: 'model_not_found' });
    expectError(res, 400, FAKE_ERRORS.model_not_found.message);
    expect(row).toMatchObject({ status_code: 400, error_code: 'model_not_found' });
  });

  it('upstream 429 → 429', async () => {
    const { res, row } = await callWith({ error: 'limit_requests' });
    expectError(res, 429, '请求频率超限');
    expect(row).toMatchObject({ status_code: 429, error_code: 'limit_requests' });
  });

  it('upstream 401 (our key refused) → 503 that says nothing of the key, and a log line for the operator', async () => {
    const { res, row } = await callWith({ error: 'invalid_api_key' });
    expectError(res, 503, '百炼API服务不可用');
    expectNothingLeaked(res, [TEST_API_KEY, 'sk-', 'API key']);
    expect(row).toMatchObject({ status_code: 503, error_code: 'upstream_key_rejected' });
    const line = logLines.map((l) => JSON.parse(l)).find((l) => l.msg === 'DashScope rejected the API key');
    expect(line).toMatchObject({ level: 50, upstreamStatus: 401, upstreamCode: 'invalid_api_key' });
    expect(logLines.join('\n')).not.toContain(TEST_API_KEY);
  });

  it('upstream 5xx → 503', async () => {
    const { res, row } = await callWith({ error: 'internal_error' });
    expectError(res, 503, '百炼API服务不可用');
    expect(row).toMatchObject({ status_code: 503, error_code: 'internal_error' });
  });

  it('a malformed body → 503', async () => {
    const { res, row } = await callWith({ fault: 'malformed_json' });
    expectError(res, 503, '百炼API服务不可用');
    expect(row).toMatchObject({ status_code: 503, error_code: 'upstream_malformed' });
  });

  const completion = (message: object, extra: object = {}) => ({
    id: 'chatcmpl-odd',
    object: 'chat.completion',
    created: 1,
    model: 'qwen-plus',
    choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: 'stop' }],
    ...extra,
  });
  const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

  it.each([
    ['content that is a number', completion({ content: 12345 })],
    ['content that is an object', completion({ content: { x: 1 } })],
    ['reasoning_content that is a number', completion({ content: 'ok', reasoning_content: 42 })],
    ['content nested 5,000 deep', JSON.stringify(completion({ content: 'x' })).replace('"content":"x"', `"content":${nested(5000)}`)],
    ['a field nested 5,000 deep', JSON.stringify(completion({ content: 'ok' })).replace('"model"', `"junk":${nested(5000)},"model"`)],
  ])('a completion with %s → 503 (malformed), not 500', async (_, body) => {
    const { res, row } = await callWith({ body });
    expectError(res, 503, '百炼API服务不可用');
    expect(row).toMatchObject({ status_code: 503, error_code: 'upstream_malformed' });
  });

  it('records a call whose usage is garbage with 0 tokens (garbage failed the insert of its whole batch)', async () => {
    const usage = { prompt_tokens: { a: 1 }, completion_tokens: 'x', total_tokens: 1e300 };
    const { res, row } = await callWith({ body: completion({ content: 'ok' }, { usage }) });
    expect(res.status).toBe(200);
    // The answer promises three integers or null: garbage is not relayed.
    expect(res.body.data.usage).toBeNull();
    expect(row).toMatchObject({ status_code: 200, request_tokens: 0, response_tokens: 0, total_tokens: 0 });
  });

  it('answers a completion whose usage is garbage with usage null, as the documented schema allows (not the garbage)', async () => {
    for (const usage of [
      { prompt_tokens: 1e300, completion_tokens: -1, total_tokens: 'x' },
      { prompt_tokens: 1.5, completion_tokens: 2, total_tokens: 3.5 },
      'lots',
      [1, 2, 3],
    ]) {
      const { res } = await callWith({ body: completion({ content: 'ok' }, { usage }) });
      expect(res.status).toBe(200);
      expect(res.body.data.usage).toBeNull();
      expect(ChatCompletionSchema.safeParse(res.body.data).success).toBe(true);
    }
    // A usage that is right is kept whole, the fields DashScope adds included.
    const usage = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5, prompt_tokens_details: { cached_tokens: 0 } };
    const { res } = await callWith({ body: completion({ content: 'ok' }, { usage }) });
    expect(res.body.data.usage).toEqual(usage);
  });

  it('relays a completion whose reasoning_content is null (as OpenAI-compatible servers write an empty field) as documented', async () => {
    const { res } = await callWith({ body: completion({ content: 'ok', reasoning_content: null }) });
    expect(res.status).toBe(200);
    expect(res.body.data.choices[0].message).toEqual({ role: 'assistant', content: [{ type: 'text', text: 'ok' }], reasoning_content: null });
  });

  it.each([
    ['left out', { choices: [{ message: { content: 'ok' } }] }],
    [
      'of the wrong type',
      { id: 7, object: 'completion', created: '2025', model: null, choices: [{ index: '0', message: { role: 'bot', content: 'ok' }, finish_reason: 3 }] },
    ],
  ])('answers a completion whose documented fields are %s with them filled in, the reply kept', async (_, body) => {
    const before = Math.floor(Date.now() / 1000);
    const { res, row } = await callWith({ body: { ...body, usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } } });
    expect(res.status).toBe(200);
    expect(ChatCompletionSchema.safeParse(res.body.data).success).toBe(true);
    expect(res.body.data).toMatchObject({
      id: `chatcmpl-${app.fake.last.requestId}`,
      object: 'chat.completion',
      model: hello.model,
      choices: [{ index: 0, finish_reason: null, message: { role: 'assistant', content: [{ type: 'text', text: 'ok' }] } }],
    });
    expect(res.body.data.created).toBeGreaterThanOrEqual(before);
    expect(res.body.data.created).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    expect(row).toMatchObject({ status_code: 200, error_code: null, total_tokens: 2 });
  });

  it('relays streamed chunks that leave out documented fields with them filled in (one id for the answer), and whole chunks as upstream wrote them', async () => {
    const whole = '{"id":"chatcmpl-up", "object":"chat.completion.chunk", "created":1, "model":"qwen-plus", "choices":[{"index":0, "delta":{"content":"好"}, "finish_reason":null}]}';
    const { res, frames, row } = await streamWith({
      frames: [
        { choices: [{ delta: { role: 'assistant', content: '你' } }] },
        whole,
        { id: 9, created: 'now', choices: [{ index: 0, finish_reason: 'stop' }] },
        { choices: [], usage: { prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 } },
      ],
    });
    expect(res.status).toBe(200);
    expect(frames.at(-1)).toBe('[DONE]');
    expect(frames[1]).toBe(whole);
    const chunks = frames.slice(0, -1).map((frame) => JSON.parse(frame));
    for (const chunk of chunks) expect(ChatCompletionChunkSchema.safeParse(chunk).success).toBe(true);
    const filled = [chunks[0], chunks[2], chunks[3]];
    expect(new Set(filled.map((chunk) => chunk.id))).toEqual(new Set([`chatcmpl-${app.fake.last.requestId}`]));
    for (const chunk of filled) expect(chunk).toMatchObject({ object: 'chat.completion.chunk', model: hello.model, created: expect.any(Number) });
    expect(chunks[0].choices).toEqual([{ index: 0, delta: { role: 'assistant', content: '你' }, finish_reason: null }]);
    expect(chunks[2].choices).toEqual([{ index: 0, delta: {}, finish_reason: 'stop' }]);
    expect(row).toMatchObject({ status_code: 200, stream: 1, error_code: null, total_tokens: 4 });
  });

  it('relays a streamed usage that is garbage as null, and records the call with 0 tokens', async () => {
    const { frames, row } = await streamWith({
      frames: [
        completion({}, { object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'ok' }, finish_reason: 'stop' }] }),
        completion({}, { object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 'x', completion_tokens: -1, total_tokens: 1e300 } }),
      ],
    });
    expect(JSON.parse(frames[1]!)).toMatchObject({ choices: [], usage: null });
    expect(row).toMatchObject({ status_code: 200, error_code: null, request_tokens: 0, response_tokens: 0, total_tokens: 0 });
  });

  it('ends a stream whose chunk carries a delta that is not text with an error frame (malformed), after what came before', async () => {
    const chunk = (delta: object) => completion({}, { object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: null }] });
    const { res, frames, row } = await streamWith({ frames: [chunk({ content: 'ok' }), chunk({ content: 42 }), chunk({ content: 'never' })] });
    expect(res.status).toBe(200);
    expect(frames.map((frame) => JSON.parse(frame))).toEqual([
      chunk({ content: 'ok' }),
      { error: { message: '百炼API服务不可用', code: 'upstream_malformed' } },
    ]);
    expect(row).toMatchObject({ status_code: 200, stream: 1, error_code: 'upstream_malformed' });
  });

  it('an empty 200 body → 503', async () => {
    const { res, row } = await callWith({ fault: 'empty_answer' });
    expectError(res, 503, '百炼API服务不可用');
    expect(row).toMatchObject({ status_code: 503, error_code: 'upstream_malformed' });
  });

  it('a connection reset while the body arrives → 503', async () => {
    const { res, row } = await callWith({ fault: 'reset_mid_stream' });
    expectError(res, 503, '百炼API服务不可用');
    expect(row).toMatchObject({ status_code: 503, error_code: 'upstream_reset' });
  });
});

describe('upstream timeouts (DASHSCOPE_TIMEOUT_MS=300)', () => {
  let app: ChatTestApp;
  let token: string;
  let userId: number;
  beforeAll(async () => {
    app = await startChatApp({ DASHSCOPE_TIMEOUT_MS: '300' });
    ({ accessToken: token, userId } = await createAccount(app.url, 'waiter'));
  });
  afterAll(() => app.close());

  it('an upstream that never answers → 503, and the request is abandoned', async () => {
    app.fake.next({ fault: 'hang' });
    const res = await chat(app, token, hello);
    expectError(res, 503, '百炼API服务不可用');
    await eventually(() => expect(app.fake.last.aborted).toBe(true));
    expect(await callNumber(app, userId, 1)).toMatchObject({ status_code: 503, error_code: 'upstream_timeout' });
  });

  it('an answer that stalls after its headers → 503, and the request is abandoned', async () => {
    app.fake.next({ fault: 'stall_mid_stream' });
    const res = await chat(app, token, hello);
    expectError(res, 503, '百炼API服务不可用');
    await eventually(() => expect(app.fake.last.aborted).toBe(true));
    expect(await callNumber(app, userId, 2)).toMatchObject({ status_code: 503, error_code: 'upstream_timeout' });
  });

  it('a stream that stalls after its first frames ends with an error frame and is abandoned', async () => {
    app.fake.next({ fault: 'stall_mid_stream' });
    const res = await chatRaw(app, token, { ...hello, stream: true });
    expect(res.status).toBe(200);
    const frames = await readSseData(res);
    expect(JSON.parse(frames.at(-1)!)).toEqual({ error: { message: '百炼API服务不可用', code: 'upstream_timeout' } });
    await eventually(() => expect(app.fake.last.aborted).toBe(true));
    expect(await callNumber(app, userId, 3)).toMatchObject({ status_code: 200, stream: 1, error_code: 'upstream_timeout' });
  });

  it('a stream whose body stays open after [DONE] is answered in full at [DONE], and the connection is dropped later', async () => {
    app.fake.next({ fault: 'open_after_done' });
    const res = await chatRaw(app, token, { ...hello, stream: true });
    const frames = await readSseData(res);
    expect(frames.at(-1)).toBe('[DONE]');
    // Our answer ended while upstream's was still open: it did not wait for upstream's end.
    expect(app.fake.last.aborted).toBe(false);
    expect(await callNumber(app, userId, 4)).toMatchObject({ status_code: 200, stream: 1, error_code: null });
    // The idle timeout then ends the upstream exchange; the app carries on.
    await eventually(() => expect(app.fake.last.aborted).toBe(true));
    expect((await chat(app, token, hello)).status).toBe(200);
  });
});

describe('an unreachable upstream', () => {
  it('→ 503', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const app = await startChatApp({ DASHSCOPE_BASE_URL: `http://127.0.0.1:${port}/compatible-mode/v1` });
    try {
      const user = await createAccount(app.url, 'lonely');
      expectError(await chat(app, user.accessToken, hello), 503, '百炼API服务不可用');
      expect(await callNumber(app, user.userId, 1)).toMatchObject({ status_code: 503, error_code: 'upstream_unreachable' });
    } finally {
      await app.close();
    }
  });
});

describe('DASHSCOPE_MAX_RETRIES', () => {
  it('retries a 5xx as many times as configured, then answers', async () => {
    const app = await startChatApp({ DASHSCOPE_MAX_RETRIES: '1' });
    try {
      const user = await createAccount(app.url, 'patient');
      app.fake.next({ error: 'internal_error' });
      const res = await chat(app, user.accessToken, hello);
      expect(res.status, res.text).toBe(200);
      expect(res.body.data.choices[0].message.content).toEqual([{ type: 'text', text: DEFAULT_REPLY }]);
      expect(app.fake.requests).toHaveLength(2);
      expect(await callNumber(app, user.userId, 1)).toMatchObject({
        status_code: 200,
        upstream_request_id: app.fake.requests[1]!.requestId,
      });
    } finally {
      await app.close();
    }
  });
});
