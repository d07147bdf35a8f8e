import type { Db } from '@bailian-chat/server';
import type { Insertable, Kysely } from 'kysely';
import { rebuildStatsRollup } from '../../server/src/history/stats-rollup-rebuild.js';
import { benchAccount, measure, printTable, startBenchApp, verdict, type Measurement, type Scenario } from '../harness.js';
import { seededRandom } from '../../tests/support/seeded-random.js';

type Schema = Db extends Kysely<infer D> ? D : never;

const API_CALLS = 1_000_000;
const CONVERSATIONS = 100_000;
const MESSAGES_PER_CONVERSATION = 10;
const DAY = 86_400_000;
const SPAN = 365 * DAY;
const MODELS = ['qwen-plus', 'qwen-max', 'qwen-turbo', 'qwen-vl-max'];
/** Rows per INSERT: at most 16 columns each stays under SQLite's 32,766 bound parameters. */
const ROWS_PER_INSERT = 2_000;
const CONTENT = JSON.stringify([{ type: 'text', text: '你好，请介绍一下你自己。' }]);


/** Inserts `count` generated rows in multi-row INSERTs inside one transaction. */
async function bulkInsert<T extends keyof Schema & string>(db: Db, table: T, count: number, row: (i: number) => Insertable<Schema[T]>) {
  await db.transaction().execute(async (trx) => {
    for (let start = 0; start < count; start += ROWS_PER_INSERT) {
      const rows = Array.from({ length: Math.min(ROWS_PER_INSERT, count - start) }, (_, k) => row(start + k));
      await (trx as Kysely<any>).insertInto(table).values(rows).execute();
    }
  });
}

/**
 * One user's year: 1M API calls, 100k conversations (5% deleted) with 10 messages each (3%
 * deleted; one conversation in ten goes on for ten days), spread evenly up to now.
 */
async function seed(db: Db, userId: number, end: number): Promise<void> {
  const start = end - SPAN;
  const next = seededRandom(2024);
  const model = () => MODELS[Math.floor(next() * next() * MODELS.length)]!;
  const iso = (ms: number) => new Date(Math.min(ms, end - 1)).toISOString();

  await bulkInsert(db, 'api_calls', API_CALLS, (i) => {
    const tokens = 20 + Math.floor(next() * 2000);
    return {
      user_id: userId,
      conversation_id: null,
      message_id: null,
      model_name: model(),
      api_endpoint: '/api/bailian/chat/completions',
      status_code: 200,
      request_tokens: tokens >> 1,
      response_tokens: tokens - (tokens >> 1),
      total_tokens: tokens,
      call_duration: 800 + Math.floor(next() * 2000),
      client_ip: '127.0.0.1',
      upstream_request_id: null,
      stream: i % 2,
      error_code: null,
      created_at: iso(start + Math.floor((i * SPAN) / API_CALLS)),
    };
  });

  const conversationAt = (j: number) => start + Math.floor((j * SPAN) / CONVERSATIONS);
  await bulkInsert(db, 'conversations', CONVERSATIONS, (j) => ({
    user_id: userId,
    title: `对话 ${j}`,
    model_name: model(),
    status: j % 20 === 7 ? 0 : 1,
    created_at: iso(conversationAt(j)),
    updated_at: iso(conversationAt(j)),
  }));
  const [first] = await db.selectFrom('conversations').select('id').where('user_id', '=', userId).orderBy('id').limit(1).execute();
  await bulkInsert(db, 'messages', CONVERSATIONS * MESSAGES_PER_CONVERSATION, (i) => {
    const j = Math.floor(i / MESSAGES_PER_CONVERSATION);
    const k = i % MESSAGES_PER_CONVERSATION;
    const step = j % 10 === 3 ? DAY : 30_000;
    return {
      conversation_id: first!.id + j,
      user_id: k % 2 ? 0 : userId,
      role: k % 2 ? 'assistant' : 'user',
      content_type: 'text',
      content: CONTENT,
      status: i % 33 === 5 ? 0 : 1,
      created_at: iso(conversationAt(j) + k * step),
    };
  });
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** What the raw rows say for the 30-day filters (UTC days), to check the answers being measured. */
async function rawCounts(db: Db, userId: number, from: string, to: string) {
  const conversations = db.selectFrom('conversations').where('user_id', '=', userId).where('status', '!=', 0);
  const [all, month, calls, messages] = await Promise.all([
    db.selectFrom('api_calls').select((eb) => eb.fn.sum<number>('total_tokens').as('n')).where('user_id', '=', userId).executeTakeFirstOrThrow(),
    db
      .selectFrom('api_calls')
      .select((eb) => eb.fn.sum<number>('total_tokens').as('n'))
      .where('user_id', '=', userId)
      .where('created_at', '>=', from)
      .where('created_at', '<', to)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('api_calls')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .where('model_name', '=', 'qwen-plus')
      .where('created_at', '>=', from)
      .where('created_at', '<', to)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '!=', 0)
      .where('conversation_id', 'in', conversations.select('id').where('created_at', '>=', from).where('created_at', '<', to))
      .where('created_at', '>=', from)
      .where('created_at', '<', to)
      .executeTakeFirstOrThrow(),
  ]);
  return { tokens: Number(all.n), monthTokens: Number(month.n), monthQwenPlusCalls: Number(calls.n), monthMessages: Number(messages.n) };
}

/** Statistics over the whole year and over 30 days, and a filtered api-calls page, at 50 connections. */
export const historyScenario: Scenario = {
  name: 'history',
  async run() {
    const app = await startBenchApp();
    try {
      const { userId, token } = await benchAccount(app.url, 'bench_history');
      const end = Date.now();
      let t = performance.now();
      await seed(app.db, userId, end);
      const seeded = performance.now() - t;
      t = performance.now();
      await rebuildStatsRollup(app.db, app.config.statsTimezone);
      const rebuilt = performance.now() - t;
      console.log(`seeded in ${(seeded / 1000).toFixed(1)} s, rollup rebuilt in ${(rebuilt / 1000).toFixed(1)} s`);

      const month = `start_date=${day(end - 29 * DAY)}&end_date=${day(end)}`;
      const targets: Array<[string, string, number]> = [
        ['statistics, full range', '/api/history/conversations/statistics', 50],
        ['statistics, 30 days', `/api/history/conversations/statistics?${month}`, 20],
        ['api-calls page 1, model + 30 days', `/api/history/api-calls?model_name=qwen-plus&${month}`, 10],
      ];
      const headers = { authorization: `Bearer ${token}` };
      const answer = async (path: string) => ((await (await fetch(app.url + path, { headers })).json()) as any).data;
      const raw = await rawCounts(app.db, userId, `${day(end - 29 * DAY)}T00:00:00.000Z`, `${day(end + DAY)}T00:00:00.000Z`);
      // Seeding and counting held the event loop for seconds: let the server close the keep-alive
      // sockets it timed out meanwhile before fetch picks one up again (that ends in ECONNRESET).
      await new Promise((resolve) => setTimeout(resolve, 100));
      const [full, last30, page] = await Promise.all(targets.map(([, path]) => answer(path)));
      const agrees = verdict(
        'answers agree with the raw rows',
        full.total_tokens === raw.tokens &&
          last30.total_tokens === raw.monthTokens &&
          last30.total_messages === raw.monthMessages &&
          page.pagination.total === raw.monthQwenPlusCalls,
        `tokens ${full.total_tokens}/${raw.tokens}, 30-day tokens ${last30.total_tokens}/${raw.monthTokens}, ` +
          `30-day messages ${last30.total_messages}/${raw.monthMessages}, calls ${page.pagination.total}/${raw.monthQwenPlusCalls}`,
      );
      const rows: Measurement[] = [];
      for (const [target, path] of targets) rows.push(await measure('history', target, app.url + path, { headers }));
      printTable(rows);
      const fast = targets.map(([target, , limit], i) => {
        const r = rows[i]!;
        return verdict(`${target}: p95 < ${limit} ms`, r.errors === 0 && (r.p95 ?? Infinity) < limit, `p95 ${r.p95?.toFixed(2)} ms`);
      });
      return agrees && fast.every(Boolean);
    } finally {
      await app.close();
    }
  },
};
