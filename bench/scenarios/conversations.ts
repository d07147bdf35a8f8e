import type { Db } from '@bailian-chat/server';
import type { Insertable, Kysely } from 'kysely';
import { measure, printTable, startBareExpress, startBenchApp, verdict, type Measurement, type Scenario } from '../harness.js';

const CONVERSATIONS = 10_000;
const MESSAGES = 1_000_000;
const BIG_CONVERSATION_MESSAGES = 200_000;
/** Every this-many-th message of the big conversation is deleted, so its pages take the rank → seq correction. */
const DELETE_EVERY = 2_000;
/** Rows per INSERT: 9 columns each stays under SQLite's 32,766 bound parameters. */
const ROWS_PER_INSERT = 3_000;
type Schema = Db extends Kysely<infer D> ? D : never;

const DEEP_PAGE = 5_000;
const DEEP_PAGE_LIMIT = 20;
const CONTENT = JSON.stringify([{ type: 'text', text: '你好，请介绍一下你自己。This is a benchmark message.' }]);

async function post(url: string, body: unknown) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await res.json()) as any;
}

async function benchUser(url: string) {
  const credentials = { username: 'bench_history', email: 'history@example.com', password: 'bench password 123' };
  const registered = await post(`${url}/api/auth/register`, credentials);
  const login = await post(`${url}/api/auth/login`, { username: credentials.username, password: credentials.password });
  return { userId: registered.data.user_id as number, token: login.data.access_token as string };
}

/** A timestamp `i` seconds after a fixed start, so rows sort in insertion order. */
function at(i: number): string {
  return new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString();
}

/** How many messages conversation `index` gets: the first holds the big history, the rest share the remainder. */
function messagesFor(index: number): number {
  if (index === 0) return BIG_CONVERSATION_MESSAGES;
  const rest = MESSAGES - BIG_CONVERSATION_MESSAGES;
  const others = CONVERSATIONS - 1;
  return Math.floor(rest / others) + (index <= rest % others ? 1 : 0);
}

function isDeleted(index: number, seq: number): boolean {
  return index === 0 && seq % DELETE_EVERY === 0;
}

function liveMessagesFor(index: number): number {
  return index === 0 ? messagesFor(0) - Math.floor(messagesFor(0) / DELETE_EVERY) : messagesFor(index);
}

/** Inserts the conversations with their counters already set; returns their ids in order. */
async function seedConversations(db: Db, userId: number): Promise<number[]> {
  const rows = Array.from({ length: CONVERSATIONS }, (_, i) => ({
    user_id: userId,
    title: `对话 ${i}`,
    model_name: 'qwen-plus',
    status: 1,
    created_at: at(i),
    updated_at: at(MESSAGES + i),
    message_count: liveMessagesFor(i),
    last_message_seq: messagesFor(i),
  }));
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
      await trx.insertInto('conversations').values(rows.slice(i, i + ROWS_PER_INSERT)).execute();
    }
    await trx.insertInto('conversation_counts').values({ user_id: userId, model_name: 'qwen-plus', live_count: CONVERSATIONS }).execute();
  });
  const ids = await db.selectFrom('conversations').select('id').where('user_id', '=', userId).orderBy('id').execute();
  return ids.map((r) => r.id);
}

async function seedMessages(db: Db, userId: number, conversationIds: number[]): Promise<void> {
  let batch: Insertable<Schema['messages']>[] = [];
  let written = 0;
  await db.transaction().execute(async (trx) => {
    const flush = async () => {
      await trx.insertInto('messages').values(batch).execute();
      batch = [];
    };
    for (const [index, conversationId] of conversationIds.entries()) {
      for (let seq = 1; seq <= messagesFor(index); seq++) {
        const assistant = seq % 2 === 0;
        batch.push({
          conversation_id: conversationId,
          user_id: assistant ? 0 : userId,
          role: assistant ? 'assistant' : 'user',
          content_type: 'text',
          content: CONTENT,
          status: isDeleted(index, seq) ? 0 : 1,
          created_at: at(written++),
          seq,
        });
        if (batch.length === ROWS_PER_INSERT) await flush();
      }
    }
    if (batch.length) await flush();
  });
}

/** A thousand requests before measuring, so JIT warm-up and the seeding's garbage are not in the numbers. */
async function warmUp(url: string, headers: Record<string, string>): Promise<void> {
  for (let round = 0; round < 20; round++) {
    await Promise.all(Array.from({ length: 50 }, async () => (await fetch(url, { headers })).arrayBuffer()));
  }
}

/** The deep page must be the right one: the messages that a plain OFFSET query finds, slowly. */
async function deepPageIsRight(db: Db, url: string, headers: Record<string, string>, conversationId: number, path: string) {
  const expected = await db
    .selectFrom('messages')
    .select('id')
    .where('conversation_id', '=', conversationId)
    .where('status', '!=', 0)
    .orderBy('id')
    .limit(DEEP_PAGE_LIMIT)
    .offset((DEEP_PAGE - 1) * DEEP_PAGE_LIMIT)
    .execute();
  const body = (await (await fetch(`${url}${path}`, { headers })).json()) as any;
  const ids = body.data.messages.map((m: { message_id: number }) => m.message_id);
  const right = JSON.stringify(ids) === JSON.stringify(expected.map((r) => r.id)) && body.data.pagination.total === liveMessagesFor(0);
  return verdict('history page 5000 answers the right messages and total', right, `${ids.length} messages, total ${body.data.pagination.total}`);
}

/**
 * The same load on a bare Express app that answers the same JSON with no work of ours: what the
 * machine and the framework alone give at 50 connections, to read the targets against.
 */
async function bareFloor(url: string, path: string, headers: Record<string, string>): Promise<Measurement> {
  const sample = await (await fetch(`${url}${path}`, { headers })).json();
  const bare = await startBareExpress(sample);
  try {
    await warmUp(`${bare.url}${path}`, {});
    return await measure('conversations', 'bare Express, the same JSON (floor)', `${bare.url}${path}`);
  } finally {
    await bare.close();
  }
}

/**
 * One user with 10k conversations and 1M messages, one conversation holding 200k of them: the first
 * page of the conversation list, the first page of the big history and its page 5000 (offset
 * 99,980) must stay fast.
 */
export const conversationsScenario: Scenario = {
  name: 'conversations',
  async run() {
    const app = await startBenchApp();
    try {
      const { userId, token } = await benchUser(app.url);
      const started = Date.now();
      const conversationIds = await seedConversations(app.db, userId);
      await seedMessages(app.db, userId, conversationIds);
      const big = conversationIds[0]!;
      console.log(`seeded ${CONVERSATIONS} conversations, ${MESSAGES} messages in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      // Seeding kept the event loop busy for seconds: let keep-alive sockets that idled past their
      // timeout close before fetch reuses one, which would fail with ECONNRESET.
      await new Promise((resolve) => setTimeout(resolve, 100));

      const headers = { authorization: `Bearer ${token}` };
      const get = async (target: string, path: string) => {
        await warmUp(`${app.url}${path}`, headers);
        return measure('conversations', target, `${app.url}${path}`, { headers });
      };
      const deepPath = `/api/conversations/${big}/messages?page=${DEEP_PAGE}&limit=${DEEP_PAGE_LIMIT}`;
      const rightAnswer = await deepPageIsRight(app.db, app.url, headers, big, deepPath);
      const rows: Measurement[] = [
        await get('conversations page 1', '/api/conversations'),
        await get('200k history page 1', `/api/conversations/${big}/messages`),
        await get('200k history page 5000', deepPath),
      ];
      rows.push(await bareFloor(app.url, `/api/conversations/${big}/messages`, headers));
      printTable(rows);
      const [list, first, deep] = rows as [Measurement, Measurement, Measurement];
      const checks = [
        rightAnswer,
        verdict('conversations page 1 p99 < 10 ms', list.p99 < 10 && list.errors === 0, `${list.p99.toFixed(2)} ms`),
        verdict('history page 1 p99 < 10 ms', first.p99 < 10 && first.errors === 0, `${first.p99.toFixed(2)} ms`),
        verdict('history page 5000 p99 < 50 ms', deep.p99 < 50 && deep.errors === 0, `${deep.p99.toFixed(2)} ms`),
      ];
      return checks.every(Boolean);
    } finally {
      await app.close();
    }
  },
};
