import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation, TEST_MODEL } from './support/conversations.js';
import { expectError, expectFieldErrors, ISO_UTC } from './support/envelope.js';
import { createAccount, request, type Account } from './support/http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let app: TestApp;
let alice: Account;
let bob: Account;

beforeAll(async () => {
  app = await startTestApp({ ALLOWED_MODELS: `${TEST_MODEL},qwen-vl-max-latest` });
  alice = await createAccount(app.url, 'alice');
  bob = await createAccount(app.url, 'bob');
});
afterAll(() => app.close());

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function storedConversation(id: number) {
  return app.db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

function conversationCount() {
  return app.db
    .selectFrom('conversations')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow()
    .then((r) => Number(r.n));
}

describe('POST /api/conversations', () => {
  it('creates a conversation with the default title and answers every field', async () => {
    const res = await request(app.url, 'POST', '/api/conversations', {
      token: alice.accessToken,
      body: { model_name: TEST_MODEL },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ code: 200, message: '创建成功' });
    const data = res.body.data;
    expect(Object.keys(data).sort()).toEqual(
      ['conversation_id', 'created_at', 'model_name', 'status', 'title', 'updated_at'].sort(),
    );
    expect(data).toMatchObject({ title: '新对话', model_name: TEST_MODEL, status: 1 });
    expect(Number.isInteger(data.conversation_id)).toBe(true);
    expect(data.created_at).toMatch(ISO_UTC);
    expect(data.updated_at).toBe(data.created_at);
    const row = await storedConversation(data.conversation_id);
    expect(row).toMatchObject({ user_id: alice.userId, title: '新对话', model_name: TEST_MODEL, status: 1 });
  });

  it('keeps a given title', async () => {
    const res = await request(app.url, 'POST', '/api/conversations', {
      token: alice.accessToken,
      body: { title: '旅行计划', model_name: 'qwen-vl-max-latest' },
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ title: '旅行计划', model_name: 'qwen-vl-max-latest' });
  });

  it('ignores user_id, status, conversation_id and created_at in the body', async () => {
    const res = await request(app.url, 'POST', '/api/conversations', {
      token: alice.accessToken,
      body: {
        model_name: TEST_MODEL,
        user_id: bob.userId,
        status: 0,
        conversation_id: 999_999,
        created_at: '2000-01-01T00:00:00.000Z',
      },
    });
    expect(res.status).toBe(200);
    const data = res.body.data;
    expect(data.status).toBe(1);
    expect(data.conversation_id).not.toBe(999_999);
    expect(data.created_at).not.toBe('2000-01-01T00:00:00.000Z');
    const row = await storedConversation(data.conversation_id);
    expect(row).toMatchObject({ user_id: alice.userId, status: 1, created_at: data.created_at });
  });

  it.each([
    ['a model not on ALLOWED_MODELS', { model_name: 'gpt-4o' }, 'model_name'],
    ['no model', { title: 'x' }, 'model_name'],
    ['an empty title', { model_name: TEST_MODEL, title: '' }, 'title'],
    ['a blank title', { model_name: TEST_MODEL, title: '   ' }, 'title'],
    ['a 201-character title', { model_name: TEST_MODEL, title: 'x'.repeat(201) }, 'title'],
    ['a 201-character title of emoji', { model_name: TEST_MODEL, title: '😀'.repeat(201) }, 'title'],
    ['a title that is not a string', { model_name: TEST_MODEL, title: 42 }, 'title'],
    // PostgreSQL text cannot hold U+0000: a 400 rather than the database's error.
    ['a title holding U+0000', { model_name: TEST_MODEL, title: 'a\u0000b' }, 'title'],
  ])('refuses %s with 400 and stores nothing', async (_label, body, field) => {
    const before = await conversationCount();
    const res = await request(app.url, 'POST', '/api/conversations', { token: alice.accessToken, body });
    expectFieldErrors(res, [field]);
    expect(await conversationCount()).toBe(before);
  });

  it.each(['题'.repeat(200), '😀'.repeat(200)])('accepts a 200-character title (%#)', async (title) => {
    const res = await request(app.url, 'POST', '/api/conversations', {
      token: alice.accessToken,
      body: { model_name: TEST_MODEL, title },
    });
    expect(res.status).toBe(200);
    expect(res.body.data.title).toBe(title);
  });
});

describe('authentication', () => {
  it.each([
    ['POST', '/api/conversations'],
    ['GET', '/api/conversations'],
    ['GET', '/api/conversations/1'],
    ['PUT', '/api/conversations/1'],
    ['DELETE', '/api/conversations/1'],
  ])('%s %s without a token is 401', async (method, path) => {
    const res = await request(app.url, method, path, method === 'POST' || method === 'PUT' ? { body: { model_name: TEST_MODEL } } : {});
    expectError(res, 401, '未认证');
  });
});

describe('GET /api/conversations', () => {
  let carol: Account;
  let ids: number[];

  beforeAll(async () => {
    carol = await createAccount(app.url, 'carol');
    ids = [];
    for (const [i, model] of [TEST_MODEL, 'qwen-vl-max-latest', TEST_MODEL, TEST_MODEL, 'qwen-vl-max-latest'].entries()) {
      ids.push((await createConversation(app.url, carol.accessToken, { model_name: model, title: `c${i}` })).conversation_id);
      await pause(2);
    }
    await createConversation(app.url, bob.accessToken); // someone else's: never listed for carol
  });

  function list(query = '', token = carol.accessToken) {
    return request(app.url, 'GET', `/api/conversations${query}`, { token });
  }

  it('lists the caller’s conversations newest-updated first with the pagination block', async () => {
    const res = await list();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ code: 200, message: '获取成功' });
    expect(res.body.data.conversations.map((c: any) => c.conversation_id)).toEqual([...ids].reverse());
    expect(res.body.data.pagination).toEqual({ current_page: 1, per_page: 10, total: 5, total_pages: 1 });
    expect(Object.keys(res.body.data.conversations[0]).sort()).toEqual(
      ['conversation_id', 'created_at', 'model_name', 'status', 'title', 'updated_at'].sort(),
    );
  });

  it('pages with page and limit, and a page past the end is empty with the real totals', async () => {
    const page2 = await list('?page=2&limit=2');
    expect(page2.body.data.conversations.map((c: any) => c.conversation_id)).toEqual([ids[2], ids[1]]);
    expect(page2.body.data.pagination).toEqual({ current_page: 2, per_page: 2, total: 5, total_pages: 3 });
    const page3 = await list('?page=3&limit=2');
    expect(page3.body.data.conversations.map((c: any) => c.conversation_id)).toEqual([ids[0]]);
    const past = await list('?page=4&limit=2');
    expect(past.status).toBe(200);
    expect(past.body.data).toEqual({
      conversations: [],
      pagination: { current_page: 4, per_page: 2, total: 5, total_pages: 3 },
    });
  });

  it('filters by model_name', async () => {
    const res = await list('?model_name=qwen-vl-max-latest');
    expect(res.body.data.conversations.map((c: any) => c.conversation_id)).toEqual([ids[4], ids[1]]);
    expect(res.body.data.pagination.total).toBe(2);
    const none = await list('?model_name=qwen-unknown');
    expect(none.body.data).toEqual({
      conversations: [],
      pagination: { current_page: 1, per_page: 10, total: 0, total_pages: 0 },
    });
  });

  it('breaks updated_at ties by the newer id', async () => {
    const dave = await createAccount(app.url, 'dave');
    const first = await createConversation(app.url, dave.accessToken);
    const second = await createConversation(app.url, dave.accessToken);
    await app.db
      .updateTable('conversations')
      .set({ updated_at: '2030-01-01T00:00:00.000Z' })
      .where('id', 'in', [first.conversation_id, second.conversation_id])
      .execute();
    const res = await list('', dave.accessToken);
    expect(res.body.data.conversations.map((c: any) => c.conversation_id)).toEqual([
      second.conversation_id,
      first.conversation_id,
    ]);
  });

  it('moves a renamed conversation to the top', async () => {
    const erin = await createAccount(app.url, 'erin');
    const older = await createConversation(app.url, erin.accessToken);
    await pause(2);
    const newer = await createConversation(app.url, erin.accessToken);
    await pause(2);
    await request(app.url, 'PUT', `/api/conversations/${older.conversation_id}`, {
      token: erin.accessToken,
      body: { title: 'renamed' },
    });
    const res = await list('', erin.accessToken);
    expect(res.body.data.conversations.map((c: any) => c.conversation_id)).toEqual([
      older.conversation_id,
      newer.conversation_id,
    ]);
  });

  it.each(['limit=0', 'limit=101', 'limit=-1', 'limit=abc', 'limit=1.5', 'limit=1e1', 'limit=0x2', 'page=0', 'page=-3', 'page=abc', 'page=0x1', 'page=%201', 'model_name=', 'model_name=a%00b'])(
    '?%s is 400',
    async (query) => {
      const res = await list(`?${query}`);
      expectFieldErrors(res, [query.split('=')[0]!]);
    },
  );

  it('accepts limit 1 and 100', async () => {
    expect((await list('?limit=1')).body.data.conversations).toHaveLength(1);
    expect((await list('?limit=100')).body.data.pagination).toMatchObject({ per_page: 100, total_pages: 1 });
  });
});

describe('GET /api/conversations/:id', () => {
  it('answers the caller’s conversation', async () => {
    const created = await createConversation(app.url, alice.accessToken, { model_name: TEST_MODEL, title: '详情' });
    const res = await request(app.url, 'GET', `/api/conversations/${created.conversation_id}`, { token: alice.accessToken });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ code: 200, message: '获取成功', data: created });
  });

  it('is 403 for another user’s conversation', async () => {
    const created = await createConversation(app.url, alice.accessToken);
    const res = await request(app.url, 'GET', `/api/conversations/${created.conversation_id}`, { token: bob.accessToken });
    expectError(res, 403, '无权限访问该对话');
  });

  it('is 404 for a missing conversation', async () => {
    const res = await request(app.url, 'GET', '/api/conversations/987654321', { token: alice.accessToken });
    expectError(res, 404, '对话不存在');
  });

  // Number() reads all but the first five as 1: none of them is the decimal integer the path takes.
  it.each(['abc', '1.5', '0', '-1', '1e3x', '0x1', '1e0', '0b1', '+1', '1.', '%201'])('is 400 for the id %s', async (id) => {
    const res = await request(app.url, 'GET', `/api/conversations/${id}`, { token: alice.accessToken });
    expectFieldErrors(res, ['conversation_id']);
  });
});

describe('PUT /api/conversations/:id', () => {
  it('renames the conversation and moves updated_at', async () => {
    const created = await createConversation(app.url, alice.accessToken);
    await pause(5);
    const res = await request(app.url, 'PUT', `/api/conversations/${created.conversation_id}`, {
      token: alice.accessToken,
      body: { title: '更新后的对话标题' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ code: 200, message: '更新成功' });
    expect(res.body.data).toMatchObject({
      conversation_id: created.conversation_id,
      title: '更新后的对话标题',
      model_name: created.model_name,
      status: 1,
      created_at: created.created_at,
    });
    expect(res.body.data.updated_at > created.updated_at).toBe(true);
    expect(await storedConversation(created.conversation_id)).toMatchObject({
      title: '更新后的对话标题',
      updated_at: res.body.data.updated_at,
    });
  });

  it('changes nothing for a body without a title', async () => {
    const created = await createConversation(app.url, alice.accessToken);
    await pause(5);
    const res = await request(app.url, 'PUT', `/api/conversations/${created.conversation_id}`, {
      token: alice.accessToken,
      body: {},
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual(created);
  });

  it('ignores user_id, status, conversation_id, model_name and created_at in the body', async () => {
    const created = await createConversation(app.url, alice.accessToken);
    const res = await request(app.url, 'PUT', `/api/conversations/${created.conversation_id}`, {
      token: alice.accessToken,
      body: {
        title: 'only this',
        user_id: bob.userId,
        status: 0,
        conversation_id: 999_999,
        model_name: 'qwen-vl-max-latest',
        created_at: '2000-01-01T00:00:00.000Z',
      },
    });
    expect(res.status).toBe(200);
    expect(await storedConversation(created.conversation_id)).toMatchObject({
      id: created.conversation_id,
      user_id: alice.userId,
      title: 'only this',
      status: 1,
      model_name: created.model_name,
      created_at: created.created_at,
    });
  });

  it('is 403 for another user’s conversation and changes nothing', async () => {
    const created = await createConversation(app.url, alice.accessToken);
    const res = await request(app.url, 'PUT', `/api/conversations/${created.conversation_id}`, {
      token: bob.accessToken,
      body: { title: 'hijacked' },
    });
    expectError(res, 403, '无权限修改该对话');
    expect(await storedConversation(created.conversation_id)).toMatchObject({
      title: created.title,
      updated_at: created.updated_at,
    });
  });

  it('is 404 for a missing or deleted conversation', async () => {
    const missing = await request(app.url, 'PUT', '/api/conversations/987654321', {
      token: alice.accessToken,
      body: { title: 'x' },
    });
    expectError(missing, 404, '对话不存在');
    const created = await createConversation(app.url, alice.accessToken);
    await request(app.url, 'DELETE', `/api/conversations/${created.conversation_id}`, { token: alice.accessToken });
    const deleted = await request(app.url, 'PUT', `/api/conversations/${created.conversation_id}`, {
      token: alice.accessToken,
      body: { title: 'x' },
    });
    expectError(deleted, 404, '对话不存在');
    expect(await storedConversation(created.conversation_id)).toMatchObject({ title: created.title, status: 0 });
  });

  it.each([
    ['an empty title', { title: '' }, 'title'],
    ['a 201-character title', { title: 'x'.repeat(201) }, 'title'],
  ])('is 400 for %s and changes nothing', async (_label, body, field) => {
    const created = await createConversation(app.url, alice.accessToken);
    const res = await request(app.url, 'PUT', `/api/conversations/${created.conversation_id}`, {
      token: alice.accessToken,
      body,
    });
    expectFieldErrors(res, [field]);
    expect(await storedConversation(created.conversation_id)).toMatchObject({ title: created.title });
  });

  it('is 400 for a non-integer id', async () => {
    const res = await request(app.url, 'PUT', '/api/conversations/abc', { token: alice.accessToken, body: { title: 'x' } });
    expectFieldErrors(res, ['conversation_id']);
  });
});

describe('DELETE /api/conversations/:id', () => {
  it('soft-deletes: status 0 stored, gone from every read', async () => {
    const created = await createConversation(app.url, alice.accessToken);
    const res = await request(app.url, 'DELETE', `/api/conversations/${created.conversation_id}`, {
      token: alice.accessToken,
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ code: 200, message: '删除成功', data: null });
    expect(await storedConversation(created.conversation_id)).toMatchObject({ status: 0 });

    const get = await request(app.url, 'GET', `/api/conversations/${created.conversation_id}`, { token: alice.accessToken });
    expectError(get, 404, '对话不存在');
    const list = await request(app.url, 'GET', '/api/conversations?limit=100', { token: alice.accessToken });
    expect(list.body.data.conversations.map((c: any) => c.conversation_id)).not.toContain(created.conversation_id);
    const again = await request(app.url, 'DELETE', `/api/conversations/${created.conversation_id}`, {
      token: alice.accessToken,
    });
    expectError(again, 404, '对话不存在');
  });

  it('takes the conversation out of the list totals once, however often it is deleted', async () => {
    const frank = await createAccount(app.url, 'frank');
    const doomed = await createConversation(app.url, frank.accessToken, { model_name: 'qwen-vl-max-latest' });
    await createConversation(app.url, frank.accessToken, { model_name: 'qwen-vl-max-latest' });
    await createConversation(app.url, frank.accessToken);
    for (let i = 0; i < 2; i++) {
      await request(app.url, 'DELETE', `/api/conversations/${doomed.conversation_id}`, { token: frank.accessToken });
    }
    const total = async (query: string) =>
      (await request(app.url, 'GET', `/api/conversations${query}`, { token: frank.accessToken })).body.data.pagination.total;
    expect(await total('')).toBe(2);
    expect(await total('?model_name=qwen-vl-max-latest')).toBe(1);
    expect(await total(`?model_name=${TEST_MODEL}`)).toBe(1);
  });

  it('is 403 for another user’s conversation and keeps it', async () => {
    const created = await createConversation(app.url, alice.accessToken);
    const res = await request(app.url, 'DELETE', `/api/conversations/${created.conversation_id}`, {
      token: bob.accessToken,
    });
    expectError(res, 403, '无权限删除该对话');
    expect(await storedConversation(created.conversation_id)).toMatchObject({ status: 1 });
  });

  it('is 404 for a missing conversation and 400 for a non-integer id', async () => {
    expectError(
      await request(app.url, 'DELETE', '/api/conversations/987654321', { token: alice.accessToken }),
      404,
      '对话不存在',
    );
    expectFieldErrors(await request(app.url, 'DELETE', '/api/conversations/x1', { token: alice.accessToken }), [
      'conversation_id',
    ]);
  });
});
