import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, request, type Account } from './support/http.js';
import { addApiCall } from './support/stats-fixtures.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let app: TestApp;
let alice: Account;
let bob: Account;

interface Call {
  id: number;
  model: string;
  tokens: number;
  at: string;
}
const aliceCalls: Call[] = [];

const FIXTURES: Array<[string, number, string]> = [
  ['qwen-plus', 10, '2024-02-28T00:00:00.000Z'],
  ['qwen-max', 20, '2024-02-28T23:59:59.999Z'],
  ['qwen-plus', 30, '2024-02-29T12:00:00.000Z'],
  ['qwen-plus', 31, '2024-02-29T12:00:00.000Z'], // same instant: the larger id comes first
  ['qwen-max', 40, '2024-03-01T00:00:00.000Z'],
  ['qwen-plus', 50, '2024-03-05T08:30:00.000Z'],
  ['qwen-vl-max', 60, '2024-03-05T09:00:00.000Z'],
];

beforeAll(async () => {
  app = await startTestApp();
  alice = await createAccount(app.url, 'alice');
  bob = await createAccount(app.url, 'bob');
  for (const [model, tokens, at] of FIXTURES) {
    aliceCalls.push({ id: await addApiCall(app.db, alice.userId, model, tokens, at), model, tokens, at });
  }
  await addApiCall(app.db, bob.userId, 'qwen-plus', 999, '2024-02-29T12:00:00.000Z');
});
afterAll(() => app.close());

function list(query: string, account: Account = alice) {
  return request(app.url, 'GET', `/api/history/api-calls${query}`, { token: account.accessToken });
}

/** What the endpoint should list: the filter applied to the fixtures, newest first. */
function expectedIds(keep: (c: Call) => boolean): number[] {
  return aliceCalls
    .filter(keep)
    .sort((a, b) => (a.at === b.at ? b.id - a.id : a.at < b.at ? 1 : -1))
    .map((c) => c.id);
}

const day = (c: Call) => c.at.slice(0, 10);

describe('GET /api/history/api-calls', () => {
  it('lists only the caller’s calls, newest first, with every field of the record', async () => {
    const res = await list('');
    expect(res.status).toBe(200);
    expect(res.body.code).toBe(200);
    expect(res.body.message).toBe('获取成功');
    expect(res.body.data.api_calls.map((c: { id: number }) => c.id)).toEqual(expectedIds(() => true));
    expect(res.body.data.pagination).toEqual({ current_page: 1, per_page: 10, total: 7, total_pages: 1 });
    const newest = aliceCalls[6]!;
    expect(res.body.data.api_calls[0]).toEqual({
      id: newest.id,
      user_id: alice.userId,
      conversation_id: null,
      message_id: null,
      model_name: 'qwen-vl-max',
      api_endpoint: '/api/bailian/chat/completions',
      status_code: 200,
      request_tokens: 30,
      response_tokens: 30,
      total_tokens: 60,
      call_duration: 1200,
      client_ip: '127.0.0.1',
      created_at: '2024-03-05T09:00:00.000Z',
      upstream_request_id: null,
      stream: false,
      error_code: null,
    });
  });

  it('never shows another user’s calls', async () => {
    const res = await list('', bob);
    expect(res.body.data.api_calls).toHaveLength(1);
    expect(res.body.data.api_calls[0]).toMatchObject({ user_id: bob.userId, total_tokens: 999 });
    expect(res.body.data.pagination.total).toBe(1);
  });

  it('pages with page and limit, reporting the real totals past the end', async () => {
    const all = expectedIds(() => true);
    const second = await list('?page=2&limit=3');
    expect(second.body.data.api_calls.map((c: { id: number }) => c.id)).toEqual(all.slice(3, 6));
    expect(second.body.data.pagination).toEqual({ current_page: 2, per_page: 3, total: 7, total_pages: 3 });
    const last = await list('?page=3&limit=3');
    expect(last.body.data.api_calls.map((c: { id: number }) => c.id)).toEqual(all.slice(6));
    const beyond = await list('?page=9&limit=3');
    expect(beyond.status).toBe(200);
    expect(beyond.body.data.api_calls).toEqual([]);
    expect(beyond.body.data.pagination).toEqual({ current_page: 9, per_page: 3, total: 7, total_pages: 3 });
    const farthest = await list('?page=1000000000&limit=100');
    expect(farthest.status).toBe(200);
    expect(farthest.body.data).toEqual({
      api_calls: [],
      pagination: { current_page: 1000000000, per_page: 100, total: 7, total_pages: 1 },
    });
  });

  it.each([
    ['?model_name=qwen-plus', (c: Call) => c.model === 'qwen-plus'],
    ['?start_date=2024-02-29', (c: Call) => day(c) >= '2024-02-29'],
    ['?end_date=2024-02-28', (c: Call) => day(c) <= '2024-02-28'],
    ['?start_date=2024-02-29&end_date=2024-02-29', (c: Call) => day(c) === '2024-02-29'],
    ['?start_date=2024-02-28&end_date=2024-03-01&model_name=qwen-max', (c: Call) => c.model === 'qwen-max' && day(c) <= '2024-03-01'],
    ['?model_name=qwen-turbo', () => false],
    ['?start_date=2024-03-02&end_date=2024-03-04', () => false],
  ])('filters %s with inclusive days', async (query, keep) => {
    const res = await list(query);
    expect(res.status).toBe(200);
    const ids = expectedIds(keep);
    expect(res.body.data.api_calls.map((c: { id: number }) => c.id)).toEqual(ids);
    expect(res.body.data.pagination.total).toBe(ids.length);
    expect(res.body.data.pagination.total_pages).toBe(Math.ceil(ids.length / 10));
  });

  it('answers 401 without a token', async () => {
    const res = await request(app.url, 'GET', '/api/history/api-calls');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ code: 401, message: '未认证', data: null });
  });

  it.each([
    ['?start_date=2023-02-29', 'start_date'],
    ['?end_date=2024-13-01', 'end_date'],
    ['?start_date=yesterday', 'start_date'],
    ['?limit=101', 'limit'],
    ['?page=0', 'page'],
    ['?start_date=2024-03-02&end_date=2024-03-01', 'start_date'],
  ])('answers 400 for %s naming %s', async (query, field) => {
    const res = await list(query);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(400);
    expect(res.body.message).toBe('请求参数错误');
    expect(res.body.data.errors.map((e: { field: string }) => e.field)).toContain(field);
  });
});

describe('GET /api/history/api-calls in STATS_TIMEZONE', () => {
  it('uses the local days of Asia/Shanghai: 20:00Z is already the next day', async () => {
    const shanghai = await startTestApp({ STATS_TIMEZONE: 'Asia/Shanghai' });
    try {
      const carol = await createAccount(shanghai.url, 'carol');
      const late = await addApiCall(shanghai.db, carol.userId, 'qwen-plus', 5, '2024-03-02T20:00:00.000Z');
      const before = await addApiCall(shanghai.db, carol.userId, 'qwen-plus', 7, '2024-03-02T15:59:59.999Z');
      const get = (q: string) => request(shanghai.url, 'GET', `/api/history/api-calls${q}`, { token: carol.accessToken });
      const third = await get('?start_date=2024-03-03&end_date=2024-03-03');
      expect(third.body.data.api_calls.map((c: { id: number }) => c.id)).toEqual([late]);
      expect(third.body.data.pagination.total).toBe(1);
      const second = await get('?end_date=2024-03-02');
      expect(second.body.data.api_calls.map((c: { id: number }) => c.id)).toEqual([before]);
      expect(second.body.data.pagination.total).toBe(1);
    } finally {
      await shanghai.close();
    }
  });

  it('keeps DST days of America/New_York 23 and 25 hours long', async () => {
    const newYork = await startTestApp({ STATS_TIMEZONE: 'America/New_York' });
    try {
      const dave = await createAccount(newYork.url, 'dave');
      const at = [
        '2024-03-10T04:59:59.999Z', // 03-09 23:59:59.999 EST
        '2024-03-10T05:00:00.000Z', // 03-10 00:00 EST
        '2024-03-11T03:59:59.999Z', // 03-10 23:59:59.999 EDT (the day had 23 hours)
        '2024-03-11T04:00:00.000Z', // 03-11 00:00 EDT
        '2024-11-03T04:00:00.000Z', // 11-03 00:00 EDT
        '2024-11-04T04:59:59.999Z', // 11-03 23:59:59.999 EST (the day had 25 hours)
        '2024-11-04T05:00:00.000Z', // 11-04 00:00 EST
      ];
      const ids: number[] = [];
      for (const t of at) ids.push(await addApiCall(newYork.db, dave.userId, 'qwen-plus', 1, t));
      const get = (q: string) => request(newYork.url, 'GET', `/api/history/api-calls${q}`, { token: dave.accessToken });
      const spring = await get('?start_date=2024-03-10&end_date=2024-03-10');
      expect(spring.body.data.api_calls.map((c: { id: number }) => c.id)).toEqual([ids[2], ids[1]]);
      const autumn = await get('?start_date=2024-11-03&end_date=2024-11-03');
      expect(autumn.body.data.api_calls.map((c: { id: number }) => c.id)).toEqual([ids[5], ids[4]]);
      expect(autumn.body.data.pagination.total).toBe(2);
    } finally {
      await newYork.close();
    }
  });
});
