import { connect } from 'node:net';
import { storeAssistantReply } from '../server/src/chat/assistant-reply.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCallsOf, chat, CHAT_PATH, chatRaw, messagesOf, startChatApp, TEST_API_KEY, type ChatTestApp } from './support/chat-app.js';
import { createConversation, sendText } from './support/conversations.js';
import { expectError, expectFieldErrors } from './support/envelope.js';
import { eventually } from './support/eventually.js';
import { DEFAULT_REPLY, fakeUsage, HUGE_REPLY_LENGTH } from './support/fake-dashscope.js';
import { createAccount, request, type Account } from './support/http.js';

const IMAGE = 'https://example.com/cat.png';
const VIDEO = 'https://example.com/clip.mp4';

let app: ChatTestApp;
let alice: Account;
let bob: Account;
beforeAll(async () => {
  app = await startChatApp();
  alice = await createAccount(app.url, 'alice');
  bob = await createAccount(app.url, 'bob');
});
afterAll(() => app.close());

const hello = { model: 'qwen-plus', messages: [{ role: 'user', content: [{ type: 'text', text: '你好' }] }] };

/** Waits for the user's `count`-th api_calls row and returns it. */
async function nthCall(user: Account, count: number) {
  return eventually(async () => {
    const rows = await apiCallsOf(app.db, user.userId);
    expect(rows).toHaveLength(count);
    return rows[count - 1]!;
  });
}

describe('POST /api/bailian/chat/completions (non-streamed)', () => {
  it('answers upstream completion with content as parts, its usage, and records the call', async () => {
    const before = (await apiCallsOf(app.db, alice.userId)).length;
    const res = await chat(app, alice.accessToken, hello);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ code: 200, message: '请求成功' });
    const data = res.body.data;
    expect(data).toMatchObject({ object: 'chat.completion', model: 'qwen-plus' });
    expect(data.id).toMatch(/^chatcmpl-/);
    expect(data.choices).toEqual([
      {
        index: 0,
        message: { role: 'assistant', content: [{ type: 'text', text: DEFAULT_REPLY }] },
        finish_reason: 'stop',
        logprobs: null,
      },
    ]);
    const usage = fakeUsage(app.fake.last.body, DEFAULT_REPLY);
    expect(data.usage).toEqual(usage);

    const row = await nthCall(alice, before + 1);
    expect(row).toMatchObject({
      user_id: alice.userId,
      conversation_id: null,
      message_id: null,
      model_name: 'qwen-plus',
      api_endpoint: '/api/bailian/chat/completions',
      status_code: 200,
      request_tokens: usage.prompt_tokens,
      response_tokens: usage.completion_tokens,
      total_tokens: usage.total_tokens,
      client_ip: '127.0.0.1',
      upstream_request_id: app.fake.last.requestId,
      stream: 0,
      error_code: null,
    });
    expect(row.call_duration).toBeGreaterThanOrEqual(0);
    expect(Date.parse(row.created_at)).not.toBeNaN();
  });

  it('forwards every field exactly, multimodal parts and DashScope extras included, but not conversation_id', async () => {
    const conversation = await createConversation(app.url, alice.accessToken, { model_name: 'qwen-vl-max' });
    const messages = [
      { role: 'system', content: '你是一个乐于助人的助手。' },
      {
        role: 'user',
        content: [
          { type: 'text', text: '图里和视频里各是什么？' },
          { type: 'image_url', image_url: { url: IMAGE } },
          { type: 'video_url', video_url: { url: VIDEO }, fps: 2 },
        ],
      },
      { role: 'assistant', content: [{ type: 'text', text: '请稍等。' }] },
      { role: 'user', content: '继续' },
    ];
    const options = {
      temperature: 0.7,
      max_tokens: 512,
      top_p: 0.8,
      stop: ['\n\n', 'END'],
      seed: 42,
      presence_penalty: 0.5,
      enable_thinking: false,
    };
    const res = await chat(app, alice.accessToken, {
      model: 'qwen-vl-max',
      messages,
      ...options,
      conversation_id: conversation.conversation_id,
    });
    expect(res.status, res.text).toBe(200);
    const received = app.fake.last;
    expect(received.body).toEqual({ model: 'qwen-vl-max', messages, ...options });
    expect(received.headers.authorization).toBe(`Bearer ${TEST_API_KEY}`);
  });

  it('forwards only what the caller set', async () => {
    await chat(app, alice.accessToken, hello);
    expect(app.fake.last.body).toEqual(hello);
  });

  it('stores the reply in the caller conversation and links the call to its latest user message', async () => {
    const conversation = await createConversation(app.url, alice.accessToken);
    await sendText(app.url, alice.accessToken, conversation.conversation_id, '第一个问题');
    const question = await sendText(app.url, alice.accessToken, conversation.conversation_id, '第二个问题');
    const before = (await apiCallsOf(app.db, alice.userId)).length;

    const res = await chat(app, alice.accessToken, {
      ...hello,
      messages: [{ role: 'user', content: '第二个问题' }],
      conversation_id: conversation.conversation_id,
    });
    expect(res.status, res.text).toBe(200);

    const stored = await messagesOf(app.db, conversation.conversation_id);
    expect(stored).toHaveLength(3);
    expect(stored[2]).toMatchObject({
      user_id: 0,
      role: 'assistant',
      content_type: 'text',
      status: 1,
    });
    expect(JSON.parse(stored[2]!.content)).toEqual([{ type: 'text', text: DEFAULT_REPLY }]);

    const history = await request(app.url, 'GET', `/api/conversations/${conversation.conversation_id}/messages`, {
      token: alice.accessToken,
    });
    expect(history.body.data.messages.at(-1)).toMatchObject({
      role: 'assistant',
      user_id: 0,
      content: [{ type: 'text', text: DEFAULT_REPLY }],
    });

    const row = await nthCall(alice, before + 1);
    expect(row).toMatchObject({
      conversation_id: conversation.conversation_id,
      message_id: question.message_id,
      status_code: 200,
    });
  });

  it('refuses another user conversation (403) and a missing one (404) without calling upstream', async () => {
    const bobs = await createConversation(app.url, bob.accessToken);
    const sent = app.fake.requests.length;
    const before = (await apiCallsOf(app.db, alice.userId)).length;

    const forbidden = await chat(app, alice.accessToken, { ...hello, conversation_id: bobs.conversation_id });
    expectError(forbidden, 403, '无权限访问该对话');
    expect((await nthCall(alice, before + 1)).status_code).toBe(403);

    const missing = await chat(app, alice.accessToken, { ...hello, conversation_id: 999_999 });
    expectError(missing, 404, '对话不存在');
    expect(await nthCall(alice, before + 2)).toMatchObject({ status_code: 404, conversation_id: null });

    expect(app.fake.requests.length).toBe(sent);
    expect(await messagesOf(app.db, bobs.conversation_id)).toEqual([]);
  });

  it('refuses a model not on ALLOWED_MODELS with a 400 naming the field, without calling upstream', async () => {
    const sent = app.fake.requests.length;
    const before = (await apiCallsOf(app.db, alice.userId)).length;
    const res = await chat(app, alice.accessToken, { ...hello, model: 'gpt-4o' });
    expectFieldErrors(res, ['model']);
    expect(app.fake.requests.length).toBe(sent);
    expect(await nthCall(alice, before + 1)).toMatchObject({
      status_code: 400,
      model_name: 'gpt-4o',
      error_code: 'invalid_request',
    });
  });

  it('forwards a history as long as OpenAI takes (2,048 messages), and refuses a longer one', async () => {
    const history = (length: number) =>
      Array.from({ length }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `第 ${i} 条` }));
    const { accessToken } = await createAccount(app.url, 'long_chat');
    const res = await chat(app, accessToken, { model: 'qwen-plus', messages: history(2048) });
    expect(res.status, res.text).toBe(200);
    expect(app.fake.last.body.messages).toEqual(history(2048));
    const sent = app.fake.requests.length;
    expectFieldErrors(await chat(app, accessToken, { model: 'qwen-plus', messages: history(2049) }), ['messages']);
    expect(app.fake.requests.length).toBe(sent);
  });

  it('refuses an invalid body with field errors, never forwards it, and records the refusal', async () => {
    const sent = app.fake.requests.length;
    const before = (await apiCallsOf(app.db, alice.userId)).length;
    const res = await chat(app, alice.accessToken, {
      model: 'qwen-plus',
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://x/y.png' } }] }],
      temperature: 3,
      stream: true,
    });
    expectFieldErrors(res, ['messages.0.content.0.image_url.url', 'temperature']);
    expect(app.fake.requests.length).toBe(sent);
    expect(await nthCall(alice, before + 1)).toMatchObject({
      status_code: 400,
      model_name: 'qwen-plus',
      stream: 1,
      error_code: 'invalid_request',
      total_tokens: 0,
    });
  });

  it('refuses a parameter it does not forward, naming it, where it used to drop it silently', async () => {
    const sent = app.fake.requests.length;
    const before = (await apiCallsOf(app.db, alice.userId)).length;
    const res = await chat(app, alice.accessToken, { ...hello, response_format: { type: 'json_object' }, n: 2 });
    expectFieldErrors(res, ['response_format', 'n']);
    const takes = 'unsupported parameter: this endpoint takes model, messages, temperature, max_tokens, top_p, stop, seed, presence_penalty, enable_thinking, stream, conversation_id';
    expect(res.body.data.errors).toEqual([
      { field: 'response_format', message: takes },
      { field: 'n', message: takes },
    ]);
    expect(app.fake.requests.length).toBe(sent);
    expect(await nthCall(alice, before + 1)).toMatchObject({ status_code: 400, model_name: 'qwen-plus', error_code: 'invalid_request' });
  });

  it('names the part a message content refuses, whether its content is parts or text', async () => {
    const { accessToken } = await createAccount(app.url, 'content_errors');
    const refused = async (content: unknown) => {
      const res = await chat(app, accessToken, { model: 'qwen-plus', messages: [{ role: 'user', content }] });
      expect(res.status, res.text).toBe(400);
      return res.body.data.errors;
    };
    expect(await refused([{ type: 'text', text: 'ok' }, { type: 'audio_url', audio_url: { url: IMAGE } }])).toEqual([
      { field: 'messages.0.content.1.type', message: expect.stringContaining("Expected 'text' | 'image_url' | 'video_url'") },
    ]);
    expect(await refused([{ type: 'text' }])).toEqual([{ field: 'messages.0.content.0.text', message: 'Required' }]);
    expect(await refused('')).toEqual([{ field: 'messages.0.content', message: '至少 1 个字符' }]);
    expect(await refused(42)).toEqual([{ field: 'messages.0.content', message: 'Invalid input' }]);
  });

  it('refuses a message that is not Unicode (a lone surrogate), never forwards it, and records the refusal', async () => {
    const sent = app.fake.requests.length;
    const before = (await apiCallsOf(app.db, alice.userId)).length;
    const res = await chat(app, alice.accessToken, { model: 'qwen-plus', messages: [{ role: 'user', content: 'cut \udc00 short' }] });
    expectFieldErrors(res, ['messages.0.content']);
    expect(app.fake.requests.length).toBe(sent);
    expect(await nthCall(alice, before + 1)).toMatchObject({ status_code: 400, model_name: 'qwen-plus', error_code: 'invalid_request' });
  });

  it('records the model a refused call names as valid Unicode, even cut at 100 inside a pair', async () => {
    const before = (await apiCallsOf(app.db, alice.userId)).length;
    for (const model of ['qwen\udc00x', `${'a'.repeat(99)}😀`]) {
      expect((await chat(app, alice.accessToken, { ...hello, model })).status).toBe(400);
    }
    await eventually(async () => {
      const rows = (await apiCallsOf(app.db, alice.userId)).slice(before);
      expect(rows.map((row) => row.model_name)).toEqual(['qwen\ufffdx', `${'a'.repeat(99)}\ufffd`]);
    });
  });

  it('records a call whose body is not JSON, answers 400 and forwards nothing', async () => {
    const sent = app.fake.requests.length;
    const before = (await apiCallsOf(app.db, alice.userId)).length;
    const res = await request(app.url, 'POST', CHAT_PATH, { token: alice.accessToken, rawBody: '{"model": "qwen-plus", ' });
    expectError(res, 400, '请求体不是有效的 JSON');
    expect(app.fake.requests.length).toBe(sent);
    expect(await nthCall(alice, before + 1)).toMatchObject({ status_code: 400, model_name: '', error_code: 'invalid_request' });
  });

  it('answers an anonymous call with a body that is not JSON 401, as any anonymous call', async () => {
    const res = await request(app.url, 'POST', CHAT_PATH, { rawBody: '{"model": ' });
    expectError(res, 401, '未认证');
  });

  it('counts a recorded call that names no model once in the history total', async () => {
    const carol = await createAccount(app.url, 'carol');
    const list = () => request(app.url, 'GET', '/api/history/api-calls', { token: carol.accessToken });
    await list(); // the statistics rollup is built now, so the write hooks keep it from here on
    const res = await chat(app, carol.accessToken, { messages: hello.messages });
    expectFieldErrors(res, ['model']);
    expect(await nthCall(carol, 1)).toMatchObject({ status_code: 400, model_name: '' });
    const history = await list();
    expect(history.body.data.api_calls).toHaveLength(1);
    expect(history.body.data.pagination).toMatchObject({ total: 1, total_pages: 1 });
  });

  it('answers 401 to an anonymous caller and records nothing', async () => {
    const before = await app.db.selectFrom('api_calls').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    const res = await request(app.url, 'POST', '/api/bailian/chat/completions', { body: hello });
    expectError(res, 401, '未认证');
    const after = await app.db.selectFrom('api_calls').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('abandons the upstream call when the client goes away, and records it as 499 client_aborted', async () => {
    const sent = app.fake.requests.length;
    const before = (await apiCallsOf(app.db, alice.userId)).length;
    app.fake.next({ fault: 'hang' });
    const client = new AbortController();
    const pending = chatRaw(app, alice.accessToken, hello, client.signal).catch((err: Error) => err.name);
    await eventually(() => expect(app.fake.requests.length).toBe(sent + 1));
    client.abort();
    expect(await pending).toBe('AbortError');
    await eventually(() => expect(app.fake.last.aborted).toBe(true));
    expect(await nthCall(alice, before + 1)).toMatchObject({ status_code: 499, error_code: 'client_aborted', stream: 0 });
  });

  it('records calls whose clients left before they were even authenticated (on PostgreSQL, while its query ran)', async () => {
    const before = (await apiCallsOf(app.db, alice.userId)).length;
    const body = JSON.stringify(hello);
    const head = `POST ${CHAT_PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${alice.accessToken}\r\n`;
    const { port } = new URL(app.url);
    for (let i = 0; i < 5; i += 1) {
      const socket = connect(Number(port), '127.0.0.1');
      socket.on('error', () => {});
      socket.write(`${head}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, () => socket.destroy());
    }
    await eventually(async () => {
      const rows = (await apiCallsOf(app.db, alice.userId)).slice(before);
      expect(rows.map((row) => [row.status_code, row.error_code])).toEqual(Array(5).fill([499, 'client_aborted']));
    });
  });

  it('answers and stores a reply that upstream cut inside a surrogate pair as valid Unicode (U+FFFD)', async () => {
    const conversation = await createConversation(app.url, alice.accessToken);
    app.fake.next({ reply: '半个表情 \ud83d' });
    const res = await chat(app, alice.accessToken, { ...hello, conversation_id: conversation.conversation_id });
    expect(res.status).toBe(200);
    expect(res.body.data.choices[0].message.content).toEqual([{ type: 'text', text: '半个表情 \ufffd' }]);
    const [stored] = await messagesOf(app.db, conversation.conversation_id);
    expect(JSON.parse(stored!.content)).toEqual([{ type: 'text', text: '半个表情 \ufffd' }]);
  });

  it('relays a 10 MB completion whole', async () => {
    app.fake.next({ fault: 'huge_body' });
    const res = await chat(app, alice.accessToken, hello);
    expect(res.status).toBe(200);
    const text: string = res.body.data.choices[0].message.content[0].text;
    expect(text.length).toBe(HUGE_REPLY_LENGTH);
    expect(text).toBe('x'.repeat(HUGE_REPLY_LENGTH));
  });
});

describe('POST /api/bailian/chat/completions without DASHSCOPE_API_KEY', () => {
  let bare: ChatTestApp;
  beforeAll(async () => {
    bare = await startChatApp({ DASHSCOPE_API_KEY: '' });
  });
  afterAll(() => bare.close());

  it('answers 503 naming the missing variable, and records it', async () => {
    const user = await createAccount(bare.url, 'nokey');
    const res = await chat(bare, user.accessToken, hello);
    expectError(res, 503, '百炼API服务不可用：未配置 DASHSCOPE_API_KEY');
    expect(bare.fake.requests).toHaveLength(0);
    const rows = await eventually(async () => {
      const rows = await apiCallsOf(bare.db, user.userId);
      expect(rows).toHaveLength(1);
      return rows;
    });
    expect(rows[0]).toMatchObject({ status_code: 503, error_code: 'api_key_missing' });
  });
});

describe('a chat body over BODY_LIMIT', () => {
  let small: ChatTestApp;
  beforeAll(async () => {
    small = await startChatApp({ BODY_LIMIT: '1kb' });
  });
  afterAll(() => small.close());

  it('is 413, recorded, and not forwarded', async () => {
    const user = await createAccount(small.url, 'big_body');
    const res = await chat(small, user.accessToken, { model: 'qwen-plus', messages: [{ role: 'user', content: 'x'.repeat(2048) }] });
    expectError(res, 413, '请求体过大');
    expect(small.fake.requests).toHaveLength(0);
    const row = await eventually(async () => {
      const rows = await apiCallsOf(small.db, user.userId);
      expect(rows).toHaveLength(1);
      return rows[0];
    });
    expect(row).toMatchObject({ status_code: 413, error_code: 'payload_too_large', stream: 0 });
  });
});

describe('storing a reply when the database connection is lost', () => {
  it('tries again and stores the reply once, with its conversation counted once', async () => {
    const conversation = await createConversation(app.url, alice.accessToken);
    let failures = 1;
    // Its first statement fails the way pg fails one on a connection the server terminated (a
    // failover, pg_terminate_backend): such replies were lost under load, the stream's client
    // having had every frame and [DONE].
    const losesItsConnection = app.db.withPlugin({
      transformQuery({ node }) {
        if (node.kind === 'UpdateQueryNode' && failures > 0) {
          failures--;
          throw new Error('Connection terminated unexpectedly');
        }
        return node;
      },
      transformResult: async ({ result }) => result,
    });
    const warnings: unknown[] = [];
    const logger = { warn: (obj: unknown) => void warnings.push(obj) } as never;
    await storeAssistantReply({ db: losesItsConnection, logger }, conversation.conversation_id, '你好', true);
    expect((await messagesOf(app.db, conversation.conversation_id)).map((m) => [m.role, m.content, m.seq])).toEqual([
      ['assistant', JSON.stringify([{ type: 'text', text: '你好' }]), 1],
    ]);
    const row = await app.db
      .selectFrom('conversations')
      .select(['message_count', 'last_message_seq'])
      .where('id', '=', conversation.conversation_id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ message_count: 1, last_message_seq: 1 });
    expect(warnings).toHaveLength(1);
  });
});
