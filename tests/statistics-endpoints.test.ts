import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCallsOf, chat, startChatApp, type ChatTestApp } from './support/chat-app.js';
import { createConversation, sendText } from './support/conversations.js';
import { eventually } from './support/eventually.js';
import { createAccount, request, type Account } from './support/http.js';

let app: ChatTestApp;
let alice: Account;
beforeAll(async () => {
  app = await startChatApp();
  alice = await createAccount(app.url, 'alice');
});
afterAll(() => app.close());

const get = (path: string) => request(app.url, 'GET', path, { token: alice.accessToken });

describe('history after writes through the API', () => {
  it('counts what the conversation, message and chat endpoints wrote, and forgets what they deleted', async () => {
    // Built before the writes, so the write paths' hooks keep it from here on.
    expect((await get('/api/history/conversations/statistics')).body.data.total_conversations).toBe(0);

    const kept = await createConversation(app.url, alice.accessToken, { model_name: 'qwen-plus' });
    await sendText(app.url, alice.accessToken, kept.conversation_id, '第一条');
    const second = await sendText(app.url, alice.accessToken, kept.conversation_id, '第二条');
    const reply = await chat(app, alice.accessToken, {
      model: 'qwen-plus',
      conversation_id: kept.conversation_id,
      messages: [{ role: 'user', content: [{ type: 'text', text: '你好' }] }],
    });
    expect(reply.status).toBe(200);
    expect((await request(app.url, 'DELETE', `/api/messages/${second.message_id}`, { token: alice.accessToken })).status).toBe(200);

    const dropped = await createConversation(app.url, alice.accessToken, { model_name: 'qwen-max' });
    await sendText(app.url, alice.accessToken, dropped.conversation_id, '会被删除');
    expect((await request(app.url, 'DELETE', `/api/conversations/${dropped.conversation_id}`, { token: alice.accessToken })).status).toBe(200);

    const [call] = await eventually(async () => {
      const rows = await apiCallsOf(app.db, alice.userId);
      expect(rows).toHaveLength(1);
      return rows;
    });
    const tokens = call!.total_tokens;
    expect(tokens).toBeGreaterThan(0);

    const day = kept.created_at.slice(0, 10);
    const stats = await get(`/api/history/conversations/statistics?start_date=${day}&end_date=${day}`);
    // The kept conversation: first message and the stored assistant reply (the second was deleted).
    expect(stats.body.data).toEqual({
      total_conversations: 1,
      total_messages: 2,
      total_tokens: tokens,
      model_statistics: [{ model_name: 'qwen-plus', conversation_count: 1, message_count: 2, token_count: tokens }],
      daily_statistics: [{ date: day, conversation_count: 1, message_count: 2, token_count: tokens }],
    });
    const calls = await get('/api/history/api-calls?model_name=qwen-plus');
    expect(calls.body.data.api_calls).toHaveLength(1);
    expect(calls.body.data.api_calls[0]).toMatchObject({
      id: call!.id,
      user_id: alice.userId,
      conversation_id: kept.conversation_id,
      model_name: 'qwen-plus',
      status_code: 200,
      total_tokens: tokens,
    });
    expect(calls.body.data.pagination.total).toBe(1);
  });
});
