import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPostgres } from '../server/src/db/dialect.js';
import { countStoredMessages, createConversation, sendText } from './support/conversations.js';
import { expectError, expectFieldErrors, ISO_UTC } from './support/envelope.js';
import { createAccount, request, type Account } from './support/http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let app: TestApp;
let alice: Account;
let bob: Account;

beforeAll(async () => {
  app = await startTestApp();
  alice = await createAccount(app.url, 'alice');
  bob = await createAccount(app.url, 'bob');
});
afterAll(() => app.close());

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

function messagesPath(conversationId: number | string) {
  return `/api/conversations/${conversationId}/messages`;
}

function storedMessage(id: number) {
  return app.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

function storedConversation(id: number) {
  return app.db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}


describe('POST /api/conversations/:id/messages', () => {
  it('stores a text message and answers every field', async () => {
    const conversation = await createConversation(app.url, alice.accessToken);
    await pause(5);
    const content = [{ type: 'text', text: '你好，请介绍一下你自己' }];
    const res = await request(app.url, 'POST', messagesPath(conversation.conversation_id), {
      token: alice.accessToken,
      body: { content },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ code: 200, message: '发送成功' });
    const data = res.body.data;
    expect(data).toEqual({
      message_id: expect.any(Number),
      conversation_id: conversation.conversation_id,
      user_id: alice.userId,
      role: 'user',
      content_type: 'text',
      content,
      status: 1,
      created_at: expect.stringMatching(ISO_UTC),
    });
    const row = await storedMessage(data.message_id);
    expect(row).toMatchObject({ user_id: alice.userId, role: 'user', content_type: 'text', status: 1 });
    expect(JSON.parse(row.content)).toEqual(content);
    // The conversation was touched by the message.
    const stored = await storedConversation(conversation.conversation_id);
    expect(stored.updated_at).toBe(data.created_at);
    expect(stored.updated_at > conversation.updated_at).toBe(true);
  });

  it.each([
    ['image', [{ type: 'text', text: '这是什么？' }, { type: 'image_url', image_url: { url: 'https://example.com/a.png' } }]],
    ['image', [{ type: 'image_url', image_url: { url: PNG } }]],
    ['video', [{ type: 'video_url', video_url: { url: 'https://example.com/a.mp4' }, fps: 2 }]],
    [
      'video',
      [
        { type: 'image_url', image_url: { url: 'http://example.com/a.jpg' } },
        { type: 'video_url', video_url: { url: 'data:video/mp4;base64,AAAAIGZ0eXBpc29t' } },
        { type: 'text', text: '比较一下' },
      ],
    ],
  ])('derives content_type %s from the parts', async (contentType, content) => {
    const conversation = await createConversation(app.url, alice.accessToken);
    const res = await request(app.url, 'POST', messagesPath(conversation.conversation_id), {
      token: alice.accessToken,
      body: { content },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.data).toMatchObject({ content_type: contentType, content });
    expect(await storedMessage(res.body.data.message_id)).toMatchObject({ content_type: contentType });
  });

  it('moves the conversation to the top of the list', async () => {
    const carol = await createAccount(app.url, 'carol');
    const older = await createConversation(app.url, carol.accessToken);
    await pause(2);
    const newer = await createConversation(app.url, carol.accessToken);
    await pause(2);
    await sendText(app.url, carol.accessToken, older.conversation_id, 'bump');
    const list = await request(app.url, 'GET', '/api/conversations', { token: carol.accessToken });
    expect(list.body.data.conversations.map((c: any) => c.conversation_id)).toEqual([
      older.conversation_id,
      newer.conversation_id,
    ]);
  });

  it('stamps a message when it is stored, after any wait for its conversation, so times follow the order', async () => {
    const { conversation_id: id } = await createConversation(app.url, alice.accessToken);
    const first = await sendText(app.url, alice.accessToken, id, 'first');
    let released = '';
    let sent!: Promise<Awaited<ReturnType<typeof sendText>>>;
    // The write waits behind this transaction (SQLite: its one connection; PostgreSQL: the
    // conversation's row lock), as a send waits under load for a pooled connection or the lock.
    await app.db.transaction().execute(async (trx) => {
      await trx.selectFrom('conversations').select('id').where('id', '=', id).$if(isPostgres(app.db), (q) => q.forUpdate()).execute();
      sent = sendText(app.url, alice.accessToken, id, 'second');
      await pause(150);
      released = new Date().toISOString();
    });
    const second = await sent;
    // Stamped before the wait, a send that waited longer than a later one was stored after it with
    // the earlier time, and moved its conversation's updated_at back.
    expect(second.created_at >= released).toBe(true);
    expect(second.created_at > first.created_at).toBe(true);
    expect((await storedConversation(id)).updated_at).toBe(second.created_at);
  });

  it('ignores user_id, role, status, conversation_id, message_id and created_at in the body', async () => {
    const conversation = await createConversation(app.url, alice.accessToken);
    const other = await createConversation(app.url, bob.accessToken);
    const res = await request(app.url, 'POST', messagesPath(conversation.conversation_id), {
      token: alice.accessToken,
      body: {
        content: [{ type: 'text', text: 'hi' }],
        user_id: bob.userId,
        role: 'assistant',
        status: 0,
        conversation_id: other.conversation_id,
        message_id: 1,
        created_at: '2000-01-01T00:00:00.000Z',
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.data.message_id).not.toBe(1);
    expect(await storedMessage(res.body.data.message_id)).toMatchObject({
      conversation_id: conversation.conversation_id,
      user_id: alice.userId,
      role: 'user',
      status: 1,
      created_at: res.body.data.created_at,
    });
    expect(res.body.data.created_at).not.toBe('2000-01-01T00:00:00.000Z');
    expect(await countStoredMessages(app.db, other.conversation_id)).toBe(0);
  });

  it('is 403 in another user’s conversation and stores nothing', async () => {
    const conversation = await createConversation(app.url, alice.accessToken);
    const res = await request(app.url, 'POST', messagesPath(conversation.conversation_id), {
      token: bob.accessToken,
      body: { content: [{ type: 'text', text: 'intrusion' }] },
    });
    expectError(res, 403, '无权限在该对话中发送消息');
    expect(await countStoredMessages(app.db, conversation.conversation_id)).toBe(0);
    expect((await storedConversation(conversation.conversation_id)).updated_at).toBe(conversation.updated_at);
  });

  it('is 404 for a missing or deleted conversation', async () => {
    const body = { content: [{ type: 'text', text: 'hello?' }] };
    expectError(
      await request(app.url, 'POST', messagesPath(987654321), { token: alice.accessToken, body }),
      404,
      '对话不存在',
    );
    const conversation = await createConversation(app.url, alice.accessToken);
    await request(app.url, 'DELETE', `/api/conversations/${conversation.conversation_id}`, { token: alice.accessToken });
    expectError(
      await request(app.url, 'POST', messagesPath(conversation.conversation_id), { token: alice.accessToken, body }),
      404,
      '对话不存在',
    );
    expect(await countStoredMessages(app.db, conversation.conversation_id)).toBe(0);
  });

  it('is 400 for a non-integer conversation id', async () => {
    const res = await request(app.url, 'POST', messagesPath('abc'), {
      token: alice.accessToken,
      body: { content: [{ type: 'text', text: 'x' }] },
    });
    expectFieldErrors(res, ['conversation_id']);
  });
});

describe('authentication', () => {
  it.each([
    ['POST', messagesPath(1)],
    ['GET', messagesPath(1)],
    ['DELETE', '/api/messages/1'],
  ])('%s %s without a token is 401', async (method, path) => {
    const options = method === 'POST' ? { body: { content: [{ type: 'text', text: 'x' }] } } : {};
    expectError(await request(app.url, method, path, options), 401, '未认证');
  });
});

describe('GET /api/conversations/:id/messages', () => {
  let conversationId: number;
  let sent: any[];

  beforeAll(async () => {
    conversationId = (await createConversation(app.url, alice.accessToken)).conversation_id;
    sent = [];
    for (let i = 1; i <= 5; i++) sent.push(await sendText(app.url, alice.accessToken, conversationId, `m${i}`));
  });

  function history(query = '', token = alice.accessToken, id: number = conversationId) {
    return request(app.url, 'GET', `${messagesPath(id)}${query}`, { token });
  }

  it('answers the history oldest first with the pagination block', async () => {
    const res = await history();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      code: 200,
      message: '获取成功',
      data: { messages: sent, pagination: { current_page: 1, per_page: 20, total: 5, total_pages: 1 } },
    });
  });

  it('pages, newest first with order=desc, and a page past the end is empty with the real totals', async () => {
    const page2 = await history('?page=2&limit=2');
    expect(page2.body.data.messages).toEqual(sent.slice(2, 4));
    expect(page2.body.data.pagination).toEqual({ current_page: 2, per_page: 2, total: 5, total_pages: 3 });
    const desc1 = await history('?order=desc&limit=2');
    expect(desc1.body.data.messages).toEqual([sent[4], sent[3]]);
    const desc3 = await history('?order=desc&limit=2&page=3');
    expect(desc3.body.data.messages).toEqual([sent[0]]);
    for (const order of ['asc', 'desc']) {
      const past = await history(`?order=${order}&page=4&limit=2`);
      expect(past.body.data).toEqual({
        messages: [],
        pagination: { current_page: 4, per_page: 2, total: 5, total_pages: 3 },
      });
    }
  });

  it('answers an empty conversation with an empty page', async () => {
    const empty = await createConversation(app.url, alice.accessToken);
    const res = await history('', alice.accessToken, empty.conversation_id);
    expect(res.body.data).toEqual({
      messages: [],
      pagination: { current_page: 1, per_page: 20, total: 0, total_pages: 0 },
    });
  });

  it.each(['limit=0', 'limit=101', 'limit=-1', 'limit=abc', 'page=0', 'page=abc', 'order=sideways'])(
    '?%s is 400',
    async (query) => {
      expectFieldErrors(await history(`?${query}`), [query.split('=')[0]!]);
    },
  );

  it('is 403 for another user’s conversation', async () => {
    expectError(await history('', bob.accessToken), 403, '无权限访问该对话的消息');
  });

  it('is 404 for a missing conversation and 400 for a non-integer id', async () => {
    expectError(await request(app.url, 'GET', messagesPath(987654321), { token: alice.accessToken }), 404, '对话不存在');
    expectFieldErrors(await request(app.url, 'GET', messagesPath('1.5'), { token: alice.accessToken }), [
      'conversation_id',
    ]);
  });

  it('is 404 once the conversation is deleted', async () => {
    const doomed = await createConversation(app.url, alice.accessToken);
    await sendText(app.url, alice.accessToken, doomed.conversation_id, 'soon gone');
    await request(app.url, 'DELETE', `/api/conversations/${doomed.conversation_id}`, { token: alice.accessToken });
    expectError(await history('', alice.accessToken, doomed.conversation_id), 404, '对话不存在');
  });
});

describe('DELETE /api/messages/:id', () => {
  it('soft-deletes: status 0 stored, gone from the history and its total', async () => {
    const conversation = await createConversation(app.url, alice.accessToken);
    const keep = await sendText(app.url, alice.accessToken, conversation.conversation_id, 'keep');
    const drop = await sendText(app.url, alice.accessToken, conversation.conversation_id, 'drop');
    const res = await request(app.url, 'DELETE', `/api/messages/${drop.message_id}`, { token: alice.accessToken });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ code: 200, message: '删除成功', data: null });
    expect(await storedMessage(drop.message_id)).toMatchObject({ status: 0 });
    const history = await request(app.url, 'GET', messagesPath(conversation.conversation_id), { token: alice.accessToken });
    expect(history.body.data.messages).toEqual([keep]);
    expect(history.body.data.pagination.total).toBe(1);
    expectError(
      await request(app.url, 'DELETE', `/api/messages/${drop.message_id}`, { token: alice.accessToken }),
      404,
      '消息不存在',
    );
  });

  it('is 403 for a message of another user’s conversation and keeps it', async () => {
    const conversation = await createConversation(app.url, alice.accessToken);
    const message = await sendText(app.url, alice.accessToken, conversation.conversation_id, 'mine');
    const res = await request(app.url, 'DELETE', `/api/messages/${message.message_id}`, { token: bob.accessToken });
    expectError(res, 403, '无权限删除该消息');
    expect(await storedMessage(message.message_id)).toMatchObject({ status: 1 });
  });

  it('is 404 for a missing message and for a message of a deleted conversation', async () => {
    expectError(
      await request(app.url, 'DELETE', '/api/messages/987654321', { token: alice.accessToken }),
      404,
      '消息不存在',
    );
    const conversation = await createConversation(app.url, alice.accessToken);
    const message = await sendText(app.url, alice.accessToken, conversation.conversation_id, 'orphan');
    await request(app.url, 'DELETE', `/api/conversations/${conversation.conversation_id}`, { token: alice.accessToken });
    expectError(
      await request(app.url, 'DELETE', `/api/messages/${message.message_id}`, { token: alice.accessToken }),
      404,
      '消息不存在',
    );
  });

  it.each(['abc', '0', '2.5'])('is 400 for the id %s', async (id) => {
    expectFieldErrors(await request(app.url, 'DELETE', `/api/messages/${id}`, { token: alice.accessToken }), [
      'message_id',
    ]);
  });

  it('is 400 for another spelling of a real id (hex, exponent) and keeps the message', async () => {
    const conversation = await createConversation(app.url, alice.accessToken);
    const message = await sendText(app.url, alice.accessToken, conversation.conversation_id, 'keep me');
    for (const spelling of [`0x${message.message_id.toString(16)}`, `${message.message_id}e0`]) {
      const res = await request(app.url, 'DELETE', `/api/messages/${spelling}`, { token: alice.accessToken });
      expectFieldErrors(res, ['message_id']);
    }
    expect(await storedMessage(message.message_id)).toMatchObject({ status: 1 });
  });
});
