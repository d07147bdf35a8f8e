import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, chatRaw, messagesOf, startChatApp, type ChatTestApp } from './support/chat-app.js';
import { createConversation, sendText } from './support/conversations.js';
import { eventually } from './support/eventually.js';
import { createAccount, request, type Account } from './support/http.js';
import { readSseData } from './support/sse.js';

/**
 * A conversation deleted while a write into it is under way (a message between its ownership check
 * and its insert, a chat reply while upstream answers) takes nothing more: the row would land in a
 * conversation nobody can read again, the send would be answered 200 for it, and the deleted
 * conversation's counts and updated_at would keep moving.
 */
let app: ChatTestApp;
let alice: Account;

beforeAll(async () => {
  app = await startChatApp();
  alice = await createAccount(app.url, 'alice');
});
afterAll(() => app.close());

/** Resolves once the chat call started after `before` requests has reached upstream (past its checks). */
function reachedUpstream(before: number) {
  return eventually(() => expect(app.fake.requests.length).toBe(before + 1));
}

function deleteConversation(id: number) {
  return request(app.url, 'DELETE', `/api/conversations/${id}`, { token: alice.accessToken });
}

async function storedConversation(id: number) {
  return app.db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

describe('a conversation deleted during a write into it', () => {
  it('keeps a chat reply that arrives after the delete out of it (non-streamed)', async () => {
    const { conversation_id: id } = await createConversation(app.url, alice.accessToken);
    await sendText(app.url, alice.accessToken, id, '问题');
    const before = await storedConversation(id);
    app.fake.next({ firstByteDelayMs: 300 });
    const upstreamCalls = app.fake.requests.length;
    const answer = chat(app, alice.accessToken, { model: 'qwen-plus', messages: [{ role: 'user', content: '问题' }], conversation_id: id });
    await reachedUpstream(upstreamCalls);
    expect((await deleteConversation(id)).status).toBe(200);
    // The reply was paid for upstream: the caller still gets it.
    expect((await answer).status).toBe(200);
    const rows = await messagesOf(app.db, id);
    expect(rows.map((r) => r.role)).toEqual(['user']);
    const after = await storedConversation(id);
    expect({ message_count: after.message_count, updated_at: after.updated_at }).toEqual({
      message_count: before.message_count,
      updated_at: before.updated_at,
    });
  });

  it('keeps a streamed reply that ends after the delete out of it', async () => {
    const { conversation_id: id } = await createConversation(app.url, alice.accessToken);
    await sendText(app.url, alice.accessToken, id, '问题');
    app.fake.next({ firstByteDelayMs: 300 });
    const upstreamCalls = app.fake.requests.length;
    const answer = chatRaw(app, alice.accessToken, { model: 'qwen-plus', messages: [{ role: 'user', content: '问题' }], conversation_id: id, stream: true });
    await reachedUpstream(upstreamCalls);
    expect((await deleteConversation(id)).status).toBe(200);
    const res = await answer;
    expect(res.status).toBe(200);
    const frames = await readSseData(res);
    // The reply is stored (or not) before [DONE] is written.
    expect(frames.at(-1)).toBe('[DONE]');
    const rows = await messagesOf(app.db, id);
    expect(rows.map((r) => r.role)).toEqual(['user']);
  });

  it('answers 404 to a message whose conversation was deleted after its ownership check, and stores nothing', async () => {
    const { conversation_id: id } = await createConversation(app.url, alice.accessToken);
    // The delete lands exactly between the send's check and its insert: the insert's transaction
    // is where the send writes, so the conversation is deleted just before that transaction runs.
    const db = app.db as unknown as { transaction: () => { execute: (fn: unknown) => Promise<unknown> } };
    const original = db.transaction;
    db.transaction = function (this: unknown) {
      db.transaction = original;
      const builder = original.call(this);
      const execute = builder.execute.bind(builder);
      builder.execute = async (fn: unknown) => {
        await app.db.updateTable('conversations').set({ status: 0 }).where('id', '=', id).execute();
        return execute(fn);
      };
      return builder;
    };
    try {
      const res = await request(app.url, 'POST', `/api/conversations/${id}/messages`, {
        token: alice.accessToken,
        body: { content: [{ type: 'text', text: '晚到的消息' }] },
      });
      expect(db.transaction).toBe(original);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ code: 404, message: '对话不存在', data: null });
    } finally {
      db.transaction = original;
    }
    expect(await messagesOf(app.db, id)).toEqual([]);
    expect((await storedConversation(id)).message_count).toBe(0);
  });
});
