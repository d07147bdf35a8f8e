import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCallsOf, chatRaw, messagesOf, startChatApp, type ChatTestApp } from './support/chat-app.js';
import { createConversation, sendText } from './support/conversations.js';
import { eventually } from './support/eventually.js';
import { DEFAULT_REPLY, fakeUsage, streamPieces } from './support/fake-dashscope.js';
import { createAccount, type Account } from './support/http.js';
import { readSseData } from './support/sse.js';

let app: ChatTestApp;
let user: Account;
beforeAll(async () => {
  app = await startChatApp();
  user = await createAccount(app.url, 'streamer');
});
afterAll(() => app.close());

const question = { model: 'qwen-plus', messages: [{ role: 'user', content: [{ type: 'text', text: '讲个故事' }] }] };

function deltasOf(frames: string[]): string {
  return frames
    .filter((f) => f !== '[DONE]')
    .map((f) => JSON.parse(f))
    .flatMap((chunk) => chunk.choices ?? [])
    .map((choice: { delta?: { content?: string } }) => choice.delta?.content ?? '')
    .join('');
}

async function lastCall() {
  return eventually(async () => {
    const rows = await apiCallsOf(app.db, user.userId);
    const row = rows.at(-1);
    expect(row?.upstream_request_id).toBe(app.fake.last.requestId);
    return row!;
  });
}

describe('POST /api/bailian/chat/completions with stream: true', () => {
  it('streams chunk frames, then the usage frame, then [DONE], asking upstream for usage', async () => {
    const res = await chatRaw(app, user.accessToken, { ...question, stream: true });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('x-accel-buffering')).toBe('no');
    expect(res.headers.get('content-encoding')).toBeNull();

    const frames = await readSseData(res);
    expect(frames.at(-1)).toBe('[DONE]');
    const chunks = frames.slice(0, -1).map((f) => JSON.parse(f));
    for (const chunk of chunks) expect(chunk.object).toBe('chat.completion.chunk');
    expect(deltasOf(frames)).toBe(DEFAULT_REPLY);
    const usage = fakeUsage(app.fake.last.body, DEFAULT_REPLY);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage });

    expect(app.fake.last.body).toEqual({ ...question, stream: true, stream_options: { include_usage: true } });
    expect(await lastCall()).toMatchObject({
      status_code: 200,
      stream: 1,
      request_tokens: usage.prompt_tokens,
      response_tokens: usage.completion_tokens,
      total_tokens: usage.total_tokens,
      error_code: null,
    });
  });

  it('stores the streamed reply in the conversation before [DONE]', async () => {
    const conversation = await createConversation(app.url, user.accessToken);
    const asked = await sendText(app.url, user.accessToken, conversation.conversation_id, '讲个故事');
    const res = await chatRaw(app, user.accessToken, {
      ...question,
      stream: true,
      conversation_id: conversation.conversation_id,
    });
    const frames = await readSseData(res);
    expect(frames.at(-1)).toBe('[DONE]');

    const stored = await messagesOf(app.db, conversation.conversation_id);
    expect(stored).toHaveLength(2);
    expect(stored[1]).toMatchObject({ role: 'assistant', user_id: 0, status: 1, content_type: 'text' });
    expect(JSON.parse(stored[1]!.content)).toEqual([{ type: 'text', text: deltasOf(frames) }]);
    expect(await lastCall()).toMatchObject({
      conversation_id: conversation.conversation_id,
      message_id: asked.message_id,
      stream: 1,
    });
  });

  it('aborts upstream when the client disconnects, keeps the partial reply (status 2), and records the call', async () => {
    const conversation = await createConversation(app.url, user.accessToken);
    app.fake.next({ fault: 'stall_mid_stream' });
    const client = new AbortController();
    const res = await chatRaw(
      app,
      user.accessToken,
      { ...question, stream: true, conversation_id: conversation.conversation_id },
      client.signal,
    );
    const frames = await readSseData(res, 3);
    client.abort();

    await eventually(() => expect(app.fake.last.aborted).toBe(true));
    const partial = streamPieces(DEFAULT_REPLY).slice(0, 2).join('');
    expect(deltasOf(frames)).toBe(partial);
    const stored = await eventually(async () => {
      const rows = await messagesOf(app.db, conversation.conversation_id);
      expect(rows).toHaveLength(1);
      return rows[0]!;
    });
    expect(stored).toMatchObject({ role: 'assistant', status: 2 });
    expect(JSON.parse(stored.content)).toEqual([{ type: 'text', text: partial }]);
    expect(await lastCall()).toMatchObject({
      status_code: 200,
      stream: 1,
      error_code: 'client_aborted',
      conversation_id: conversation.conversation_id,
      total_tokens: 0,
    });
  });

  it('ends with an error frame and no [DONE] when upstream breaks mid-stream, keeping the partial reply', async () => {
    const conversation = await createConversation(app.url, user.accessToken);
    app.fake.next({ fault: 'reset_mid_stream' });
    const res = await chatRaw(app, user.accessToken, {
      ...question,
      stream: true,
      conversation_id: conversation.conversation_id,
    });
    expect(res.status).toBe(200);
    const frames = await readSseData(res);
    expect(frames).not.toContain('[DONE]');
    expect(JSON.parse(frames.at(-1)!)).toEqual({ error: { message: '百炼API服务不可用', code: 'upstream_reset' } });
    const partial = streamPieces(DEFAULT_REPLY).slice(0, 2).join('');
    expect(deltasOf(frames.slice(0, -1))).toBe(partial);

    const stored = await messagesOf(app.db, conversation.conversation_id);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ status: 2, content: JSON.stringify([{ type: 'text', text: partial }]) });
    expect(await lastCall()).toMatchObject({ status_code: 200, stream: 1, error_code: 'upstream_reset' });
  });

  it('answers our JSON envelope when upstream fails before the first frame', async () => {
    app.fake.next({ error: 'limit_requests' });
    const res = await chatRaw(app, user.accessToken, { ...question, stream: true });
    expect(res.status).toBe(429);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ code: 429, message: '请求频率超限', data: null });
    expect(await lastCall()).toMatchObject({ status_code: 429, stream: 1, error_code: 'limit_requests' });
  });

  it('answers 503 in our envelope when the first frame is not JSON', async () => {
    app.fake.next({ fault: 'malformed_json' });
    const res = await chatRaw(app, user.accessToken, { ...question, stream: true });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ code: 503, message: '百炼API服务不可用', data: null });
    expect(await lastCall()).toMatchObject({ status_code: 503, stream: 1, error_code: 'upstream_malformed' });
  });

  it('answers 503 in our envelope when upstream ends the stream before any frame', async () => {
    app.fake.next({ fault: 'empty_answer' });
    const res = await chatRaw(app, user.accessToken, { ...question, stream: true });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ code: 503, message: '百炼API服务不可用', data: null });
    expect(await lastCall()).toMatchObject({ status_code: 503, stream: 1, error_code: 'upstream_truncated' });
  });

  it('waits out a slow first byte and streams normally', async () => {
    app.fake.next({ firstByteDelayMs: 300 });
    const res = await chatRaw(app, user.accessToken, { ...question, stream: true });
    const frames = await readSseData(res);
    expect(frames.at(-1)).toBe('[DONE]');
    expect(deltasOf(frames)).toBe(DEFAULT_REPLY);
  });
});
