import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuildStatsRollup } from '../server/src/history/stats-rollup-rebuild.js';
import { createAccount, request, type Account } from './support/http.js';
import { addApiCall, addConversation, addMessage, deleteConversation, deleteMessage } from './support/stats-fixtures.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const PLUS = 'qwen-plus';
const MAX = 'qwen-max';

/**
 * Alice's history over 2024-02-28 .. 03-02 (UTC), with a deleted conversation, a deleted message,
 * conversations that go on for days, and Bob's rows on the same days.
 */
async function seed(db: TestApp['db'], alice: Account, bob: Account): Promise<void> {
  const c1 = await addConversation(db, alice.userId, PLUS, '2024-02-28T10:00:00.000Z');
  for (const t of ['2024-02-28T10:01:00.000Z', '2024-02-28T10:02:00.000Z', '2024-02-29T09:00:00.000Z', '2024-03-01T08:00:00.000Z']) {
    await addMessage(db, c1, t);
  }
  const c2 = await addConversation(db, alice.userId, MAX, '2024-02-29T23:30:00.000Z');
  await addMessage(db, c2, '2024-02-29T23:31:00.000Z');
  await addMessage(db, c2, '2024-03-01T00:10:00.000Z', 'assistant');
  await deleteMessage(db, await addMessage(db, c2, '2024-03-01T00:20:00.000Z'));
  const c3 = await addConversation(db, alice.userId, PLUS, '2024-03-01T12:00:00.000Z');
  await addMessage(db, c3, '2024-03-01T12:01:00.000Z');
  await addMessage(db, c3, '2024-03-01T12:02:00.000Z');
  await deleteConversation(db, c3);
  const c4 = await addConversation(db, alice.userId, MAX, '2024-03-02T05:00:00.000Z');
  await addMessage(db, c4, '2024-03-02T05:01:00.000Z');

  await addApiCall(db, alice.userId, PLUS, 100, '2024-02-28T10:01:00.000Z', c1);
  await addApiCall(db, alice.userId, PLUS, 50, '2024-02-29T09:00:00.000Z', c1);
  await addApiCall(db, alice.userId, MAX, 200, '2024-02-29T23:31:00.000Z', c2);
  await addApiCall(db, alice.userId, PLUS, 70, '2024-03-01T12:01:00.000Z', c3); // usage of a deleted conversation
  await addApiCall(db, alice.userId, MAX, 30, '2024-03-02T05:01:00.000Z', c4);
  await addApiCall(db, alice.userId, MAX, 5, '2024-03-02T20:00:00.000Z');

  const b1 = await addConversation(db, bob.userId, PLUS, '2024-02-29T08:00:00.000Z');
  for (let i = 0; i < 5; i += 1) await addMessage(db, b1, `2024-02-29T08:0${i}:00.000Z`);
  await addApiCall(db, bob.userId, PLUS, 1000, '2024-02-29T08:00:00.000Z', b1);
}

const counts = (conversation_count: number, message_count: number, token_count: number) => ({
  conversation_count,
  message_count,
  token_count,
});

let app: TestApp;
let alice: Account;
let bob: Account;

beforeAll(async () => {
  app = await startTestApp();
  alice = await createAccount(app.url, 'alice');
  bob = await createAccount(app.url, 'bob');
  // Build the (empty) rollup first, so the fixtures below go through the write hooks.
  await request(app.url, 'GET', '/api/history/conversations/statistics', { token: alice.accessToken });
  await seed(app.db, alice, bob);
});
afterAll(() => app.close());

function stats(query: string, account: Account = alice, base = app.url) {
  return request(base, 'GET', `/api/history/conversations/statistics${query}`, { token: account.accessToken });
}

describe('GET /api/history/conversations/statistics', () => {
  it('counts live conversations, their live messages and all tokens, by model and by day', async () => {
    const res = await stats('');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      code: 200,
      message: '获取成功',
      data: {
        total_conversations: 3,
        total_messages: 7,
        total_tokens: 455,
        model_statistics: [
          { model_name: MAX, ...counts(2, 3, 235) },
          { model_name: PLUS, ...counts(1, 4, 220) },
        ],
        daily_statistics: [
          { date: '2024-02-28', ...counts(1, 2, 100) },
          { date: '2024-02-29', ...counts(1, 2, 250) },
          { date: '2024-03-01', ...counts(0, 2, 70) },
          { date: '2024-03-02', ...counts(1, 1, 35) },
        ],
      },
    });
  });

  it('counts in a range only messages of conversations created in it', async () => {
    const res = await stats('?start_date=2024-02-29&end_date=2024-03-01');
    expect(res.body.data).toEqual({
      total_conversations: 1,
      total_messages: 2,
      total_tokens: 320,
      model_statistics: [
        { model_name: MAX, ...counts(1, 2, 200) },
        { model_name: PLUS, ...counts(0, 0, 120) },
      ],
      daily_statistics: [
        { date: '2024-02-29', ...counts(1, 1, 250) },
        { date: '2024-03-01', ...counts(0, 1, 70) },
      ],
    });
  });

  it('applies an open-ended range to every number', async () => {
    const from = await stats('?start_date=2024-03-01');
    expect(from.body.data).toMatchObject({ total_conversations: 1, total_messages: 1, total_tokens: 105 });
    expect(from.body.data.daily_statistics).toEqual([
      { date: '2024-03-01', ...counts(0, 0, 70) },
      { date: '2024-03-02', ...counts(1, 1, 35) },
    ]);
    const until = await stats('?end_date=2024-02-28');
    expect(until.body.data).toMatchObject({ total_conversations: 1, total_messages: 2, total_tokens: 100 });
  });

  it('filters every number by model', async () => {
    const res = await stats('?model_name=qwen-plus');
    expect(res.body.data).toEqual({
      total_conversations: 1,
      total_messages: 4,
      total_tokens: 220,
      model_statistics: [{ model_name: PLUS, ...counts(1, 4, 220) }],
      daily_statistics: [
        { date: '2024-02-28', ...counts(1, 2, 100) },
        { date: '2024-02-29', ...counts(0, 1, 50) },
        { date: '2024-03-01', ...counts(0, 1, 70) },
      ],
    });
  });

  it('accepts a leap day', async () => {
    const res = await stats('?start_date=2024-02-29&end_date=2024-02-29');
    expect(res.status).toBe(200);
    expect(res.body.data.daily_statistics).toEqual([{ date: '2024-02-29', ...counts(1, 1, 250) }]);
    expect(res.body.data).toMatchObject({ total_conversations: 1, total_messages: 1, total_tokens: 250 });
  });

  it('answers zeros and empty lists for an empty range or an unused model', async () => {
    const empty = { total_conversations: 0, total_messages: 0, total_tokens: 0, model_statistics: [], daily_statistics: [] };
    expect((await stats('?start_date=2025-01-01&end_date=2025-01-31')).body.data).toEqual(empty);
    expect((await stats('?model_name=qwen-turbo')).body.data).toEqual(empty);
  });

  it('never counts another user’s rows', async () => {
    const res = await stats('', bob);
    expect(res.body.data).toEqual({
      total_conversations: 1,
      total_messages: 5,
      total_tokens: 1000,
      model_statistics: [{ model_name: PLUS, ...counts(1, 5, 1000) }],
      daily_statistics: [{ date: '2024-02-29', ...counts(1, 5, 1000) }],
    });
  });

  it('agrees with the api-calls list on every filter', async () => {
    for (const query of ['', '?model_name=qwen-max', '?start_date=2024-02-29&end_date=2024-03-01', '?start_date=2024-03-02']) {
      const calls = await request(app.url, 'GET', `/api/history/api-calls${query}${query ? '&' : '?'}limit=100`, {
        token: alice.accessToken,
      });
      const tokens = calls.body.data.api_calls.reduce((sum: number, c: { total_tokens: number }) => sum + c.total_tokens, 0);
      expect((await stats(query)).body.data.total_tokens).toBe(tokens);
    }
  });

  it('answers 401 without a token', async () => {
    const res = await request(app.url, 'GET', '/api/history/conversations/statistics');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ code: 401, message: '未认证', data: null });
  });

  it.each([
    ['?start_date=2023-02-29', 'start_date'],
    ['?end_date=2024-02-30', 'end_date'],
    ['?start_date=2024-3-1', 'start_date'],
    ['?start_date=2024-03-02&end_date=2024-03-01', 'start_date'],
  ])('answers 400 for %s naming %s', async (query, field) => {
    const res = await stats(query);
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('请求参数错误');
    expect(res.body.data.errors.map((e: { field: string }) => e.field)).toContain(field);
  });
});

describe('statistics in STATS_TIMEZONE', () => {
  it('counts by Asia/Shanghai days, rebuilding a rollup kept in another zone', async () => {
    const shanghai = await startTestApp({ STATS_TIMEZONE: 'Asia/Shanghai' });
    try {
      const carol = await createAccount(shanghai.url, 'carol');
      const dave = await createAccount(shanghai.url, 'dave');
      // Kept in UTC until the Shanghai app first reads it: the fixtures land in UTC days.
      await rebuildStatsRollup(shanghai.db, 'UTC');
      await seed(shanghai.db, carol, dave);
      const res = await stats('', carol, shanghai.url);
      expect(res.body.data).toMatchObject({ total_conversations: 3, total_messages: 7, total_tokens: 455 });
      // Shanghai is UTC+8: c2 (23:30Z) and its 00:10Z message move to 03-01, the 20:00Z call to 03-03.
      expect(res.body.data.daily_statistics).toEqual([
        { date: '2024-02-28', ...counts(1, 2, 100) },
        { date: '2024-02-29', ...counts(0, 1, 50) },
        { date: '2024-03-01', ...counts(1, 3, 270) },
        { date: '2024-03-02', ...counts(1, 1, 30) },
        { date: '2024-03-03', ...counts(0, 0, 5) },
      ]);
      const range = await stats('?start_date=2024-03-01&end_date=2024-03-02', carol, shanghai.url);
      expect(range.body.data).toMatchObject({ total_conversations: 2, total_messages: 3, total_tokens: 300 });
    } finally {
      await shanghai.close();
    }
  });
});
