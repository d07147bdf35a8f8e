import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuildStatsRollup, recountStatsRollup } from '../server/src/history/stats-rollup-rebuild.js';
import { storedRollup } from '../server/src/history/stats-rollup-repository.js';
import { createAccount, request, type Account } from './support/http.js';
import { addApiCall, addConversation, addMessage, addMessageIfLive, deleteConversation, deleteMessage } from './support/stats-fixtures.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { seededRandom } from './support/seeded-random.js';

/** A fixed-offset zone (no DST since 1991), so the expected days below need no calendar code. */
const ZONE = 'Asia/Shanghai';
const localDay = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 10);

const MODELS = ['qwen-plus', 'qwen-max', 'qwen-turbo'];
const START = Date.parse('2024-01-01T00:00:00.000Z');
const HOUR = 3_600_000;


let app: TestApp;
let users: Account[];

beforeAll(async () => {
  app = await startTestApp({ STATS_TIMEZONE: ZONE });
  users = [await createAccount(app.url, 'ann'), await createAccount(app.url, 'ben'), await createAccount(app.url, 'cat')];
  // Build the rollup first, so every write below is kept by the hooks rather than a recount.
  await request(app.url, 'GET', '/api/history/conversations/statistics', { token: users[0]!.accessToken });
});
afterAll(() => app.close());

/**
 * Random writes in concurrent batches: conversations and messages created across day boundaries
 * (some messages stamped up to two days before their conversation, as a skewed clock or an import
 * would), deleted, deleted twice at once, messages added to deleted conversations, API calls of
 * every model.
 */
async function randomWrites(seed: number, operations: number): Promise<void> {
  const next = seededRandom(seed);
  const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)]!;
  const at = (base: number, spreadHours: number) => new Date(base + Math.floor(next() * spreadHours * HOUR)).toISOString();
  const conversations: Array<{ id: number; at: number }> = [];
  const messages: number[] = [];
  for (let done = 0; done < operations; ) {
    const batch: Array<Promise<unknown>> = [];
    for (let i = 0; i < 8 && done < operations; i += 1, done += 1) {
      const roll = next();
      if (roll < 0.15 || conversations.length === 0) {
        const created = at(START, 20 * 24);
        batch.push(
          addConversation(app.db, pick(users).userId, pick(MODELS), created).then((id) => {
            conversations.push({ id, at: Date.parse(created) });
          }),
        );
      } else if (roll < 0.55) {
        const conversation = pick(conversations);
        const kind = next();
        const created = kind < 0.6 ? at(conversation.at, 3) : kind < 0.9 ? at(conversation.at, 4 * 24) : at(conversation.at - 48 * HOUR, 48);
        // A conversation deleted by an earlier batch takes no more messages (undefined).
        batch.push(addMessageIfLive(app.db, conversation.id, created).then((id) => id !== undefined && messages.push(id)));
      } else if (roll < 0.65 && messages.length) {
        const id = pick(messages);
        batch.push(deleteMessage(app.db, id), deleteMessage(app.db, id));
      } else if (roll < 0.7) {
        const { id } = pick(conversations);
        batch.push(deleteConversation(app.db, id), deleteConversation(app.db, id));
      } else {
        batch.push(addApiCall(app.db, pick(users).userId, pick(MODELS), 1 + Math.floor(next() * 500), at(START, 22 * 24)));
      }
    }
    await Promise.all(batch);
  }
}

interface Filter {
  model?: string;
  first?: string;
  last?: string;
}

/** Statistics by brute force over the raw rows, straight from the definitions of spec §5.2. */
async function expectedStatistics(userId: number, filter: Filter) {
  const inRange = (iso: string) => {
    const day = localDay(iso);
    return (!filter.first || day >= filter.first) && (!filter.last || day <= filter.last);
  };
  const ofModel = (model: string) => !filter.model || model === filter.model;
  const conversations = (await app.db.selectFrom('conversations').selectAll().where('user_id', '=', userId).execute()).filter(
    (c) => c.status !== 0 && ofModel(c.model_name) && inRange(c.created_at),
  );
  const modelOf = new Map(conversations.map((c) => [c.id, c.model_name]));
  const messages = (await app.db.selectFrom('messages').selectAll().execute()).filter(
    (m) => m.status !== 0 && modelOf.has(m.conversation_id) && inRange(m.created_at),
  );
  const calls = (await app.db.selectFrom('api_calls').selectAll().where('user_id', '=', userId).execute()).filter(
    (c) => ofModel(c.model_name) && inRange(c.created_at),
  );
  const byModel = new Map<string, { conversation_count: number; message_count: number; token_count: number }>();
  const byDay = new Map<string, { conversation_count: number; message_count: number; token_count: number }>();
  const add = (model: string, iso: string, key: 'conversation_count' | 'message_count' | 'token_count', n: number) => {
    for (const [map, k] of [
      [byModel, model],
      [byDay, localDay(iso)],
    ] as const) {
      const row = map.get(k) ?? { conversation_count: 0, message_count: 0, token_count: 0 };
      row[key] += n;
      map.set(k, row);
    }
  };
  for (const c of conversations) add(c.model_name, c.created_at, 'conversation_count', 1);
  for (const m of messages) add(modelOf.get(m.conversation_id)!, m.created_at, 'message_count', 1);
  for (const c of calls) add(c.model_name, c.created_at, 'token_count', c.total_tokens);
  const sorted = <T>(map: Map<string, T>) => [...map.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  return {
    total_conversations: conversations.length,
    total_messages: messages.length,
    total_tokens: calls.reduce((sum, c) => sum + c.total_tokens, 0),
    model_statistics: sorted(byModel).map(([model_name, counts]) => ({ model_name, ...counts })),
    daily_statistics: sorted(byDay).map(([date, counts]) => ({ date, ...counts })),
    calls: calls.length,
  };
}

const byKey = <T extends object>(rows: T[]) => rows.map((r) => JSON.stringify(Object.entries(r).sort())).sort();

describe('the statistics rollup under random writes', () => {
  it('equals a recount from the raw rows', async () => {
    await randomWrites(20241129, 600);
    const stored = await storedRollup(app.db);
    const recount = await recountStatsRollup(app.db, ZONE);
    expect(stored.daily.length).toBeGreaterThan(50);
    expect(stored.spans.length).toBeGreaterThan(5);
    expect(byKey(stored.daily)).toEqual(byKey(recount.dailyRows()));
    expect(byKey(stored.spans)).toEqual(byKey(recount.spanRows()));
  });

  it('answers what the raw rows say for every filter, and the api-calls totals agree', async () => {
    await randomWrites(7, 300);
    const next = seededRandom(99);
    const day = () => localDay(new Date(START + Math.floor(next() * 24 * 24) * HOUR).toISOString());
    const filters: Filter[] = [{}, { model: 'qwen-max' }, { first: '2024-01-05' }, { last: '2024-01-10' }];
    for (let i = 0; i < 8; i += 1) {
      const [a, b] = [day(), day()].sort() as [string, string];
      filters.push({ first: a, last: b, ...(next() < 0.5 ? { model: MODELS[i % 3]! } : {}) });
    }
    for (const user of users) {
      for (const filter of filters) {
        const query = new URLSearchParams({
          ...(filter.model ? { model_name: filter.model } : {}),
          ...(filter.first ? { start_date: filter.first } : {}),
          ...(filter.last ? { end_date: filter.last } : {}),
        }).toString();
        const { calls, ...expected } = await expectedStatistics(user.userId, filter);
        const res = await request(app.url, 'GET', `/api/history/conversations/statistics?${query}`, { token: user.accessToken });
        expect(res.body.data, query).toEqual(expected);
        const list = await request(app.url, 'GET', `/api/history/api-calls?${query}`, { token: user.accessToken });
        expect(list.body.data.pagination.total, query).toBe(calls);
      }
    }
  });
});

describe('a rebuild of the rollup while messages are written and deleted', () => {
  it('fails no write and leaves the rollup equal to a recount', async () => {
    const at = '2024-02-01T00:00:00.000Z';
    const conversation = await addConversation(app.db, users[0]!.userId, 'qwen-plus', at);
    const messages = await Promise.all(Array.from({ length: 40 }, () => addMessage(app.db, conversation, at)));
    // On PostgreSQL a rebuild locks conversations, then messages; a delete that wrote them in the
    // other order deadlocked with it (40P01) in every run of this test (TEST_PG=1).
    const writes = messages.flatMap((id, i) => [
      deleteMessage(app.db, id),
      ...(i % 10 === 0 ? [rebuildStatsRollup(app.db, ZONE), addMessage(app.db, conversation, at)] : []),
    ]);
    const failures = (await Promise.allSettled(writes)).filter((result) => result.status === 'rejected');
    expect(failures).toEqual([]);

    const row = await app.db
      .selectFrom('conversations')
      .select('message_count')
      .where('id', '=', conversation)
      .executeTakeFirstOrThrow();
    expect(row.message_count).toBe(4);
    const stored = await storedRollup(app.db);
    const recount = await recountStatsRollup(app.db, ZONE);
    expect(byKey(stored.daily)).toEqual(byKey(recount.dailyRows()));
    expect(byKey(stored.spans)).toEqual(byKey(recount.spanRows()));
  });
});
