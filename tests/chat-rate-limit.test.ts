import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCallsOf, chat, startChatApp, type ChatTestApp } from './support/chat-app.js';
import { expectError } from './support/envelope.js';
import { eventually } from './support/eventually.js';
import { createAccount } from './support/http.js';

const LIMIT = 3;
const hello = { model: 'qwen-plus', messages: [{ role: 'user', content: '你好' }] };

let app: ChatTestApp;
beforeAll(async () => {
  app = await startChatApp({ CHAT_RATE_LIMIT_PER_MINUTE: String(LIMIT) });
});
afterAll(() => app.close());

describe('CHAT_RATE_LIMIT_PER_MINUTE', () => {
  it('answers 429 with Retry-After and RateLimit headers past the limit, per user, without calling upstream', async () => {
    const greedy = await createAccount(app.url, 'greedy');
    const modest = await createAccount(app.url, 'modest');

    for (let i = 0; i < LIMIT; i += 1) {
      const res = await chat(app, greedy.accessToken, hello);
      expect(res.status, res.text).toBe(200);
      expect(res.headers.get('ratelimit-policy')).toMatch(new RegExp(`q=${LIMIT}\\b.*w=60\\b`));
      expect(res.headers.get('ratelimit')).toMatch(new RegExp(`r=${LIMIT - 1 - i}\\b`));
    }
    const sent = app.fake.requests.length;

    const refused = await chat(app, greedy.accessToken, hello);
    expectError(refused, 429, '请求频率超限');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get('ratelimit')).toMatch(/r=0\b/);
    expect(refused.headers.get('ratelimit-policy')).toMatch(new RegExp(`q=${LIMIT}\\b.*w=60\\b`));
    expect(app.fake.requests.length).toBe(sent);

    const other = await chat(app, modest.accessToken, hello);
    expect(other.status, other.text).toBe(200);

    const rows = await eventually(async () => {
      const rows = await apiCallsOf(app.db, greedy.userId);
      expect(rows).toHaveLength(LIMIT + 1);
      return rows;
    });
    expect(rows.map((r) => r.status_code)).toEqual([...Array(LIMIT).fill(200), 429]);
    expect(rows.at(-1)).toMatchObject({ error_code: 'rate_limited', model_name: '', total_tokens: 0, upstream_request_id: null });
  });
});
