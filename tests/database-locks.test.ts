import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@bailian-chat/server';
import { loadSqlite } from '../server/src/db/sqlite-driver.js';
import { rebuildStatsRollup } from '../server/src/history/stats-rollup-rebuild.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { apiCallsOf } from './support/chat-app.js';
import { countStoredMessages, createConversation } from './support/conversations.js';
import { eventually } from './support/eventually.js';
import { expectError } from './support/envelope.js';
import { createAccount, request, type Account } from './support/http.js';
import { readableLogger } from './support/readable-logger.js';
import { expectRefusedStart, startServerProcess } from './support/server-process.js';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from './support/test-app.js';

const dir = mkdtempSync(join(tmpdir(), 'bailian-locks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LOCK_LOG = 'database lock not granted within DATABASE_LOCK_TIMEOUT_MS (held by another transaction)';

/** The lock wait the apps under test get: well under the 5 s default, so an answer in between tells them apart. */
const LOCK_TIMEOUT_MS = 300;

/** A PostgreSQL connection of the test's own, in a transaction that has run `statement`: another client holding a lock. */
async function pgLockHolder(url: string, statement: string, values: unknown[] = []): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('begin');
  await client.query(statement, values);
  let released: Promise<void> | undefined;
  return { release: () => (released ??= client.query('rollback').then(() => client.end())) };
}

/** A second SQLite connection to `file` holding its write lock, as another process's write transaction does. */
function sqliteLockHolder(file: string): { release(): void } {
  const Sqlite = loadSqlite();
  const holder = new Sqlite(file);
  holder.pragma('journal_mode = WAL');
  holder.exec('BEGIN IMMEDIATE');
  return {
    release: () => {
      if (!holder.open) return;
      holder.exec('ROLLBACK');
      holder.close();
    },
  };
}

/** Sends a one-part text message; the answer and how long it took. */
async function timedSend(app: TestApp, account: Account, conversationId: number) {
  const started = performance.now();
  const res = await request(app.url, 'POST', `/api/conversations/${conversationId}/messages`, {
    token: account.accessToken,
    body: { content: [{ type: 'text', text: 'behind a lock' }] },
  });
  return { res, ms: performance.now() - started };
}

/**
 * What a send into a conversation another transaction keeps locked comes to: a 500 in the envelope
 * once the lock wait is over (not at once, not after the default 5 s, not never), a log line naming
 * the variable to look at, and no message stored.
 */
async function expectSendRefusedByLock(app: TestApp, lines: Record<string, any>[], account: Account, conversationId: number) {
  const { res, ms } = await timedSend(app, account, conversationId);
  expectError(res, 500, '服务器内部错误');
  expect(ms).toBeGreaterThanOrEqual(LOCK_TIMEOUT_MS - 50);
  expect(ms).toBeLessThan(5_000);
  expect(lines.filter((line) => line.level >= 50).map((line) => line.msg)).toEqual([LOCK_LOG]);
  expect(await countStoredMessages(app.db, conversationId)).toBe(0);
}

/** Options a DATABASE_URL may carry (URL-encoded), one of them a lock_timeout of their own. */
const GIVEN_OPTIONS = encodeURIComponent('-c statement_timeout=7000 -c lock_timeout=1');

/** The statement and lock timeouts a connection opened on `url` with `lockTimeoutMs` runs under. */
async function shownTimeouts(app: TestApp, url: string, lockTimeoutMs: number | null) {
  const db = openDatabase(url, undefined, { ...app.config.databasePool, lockTimeoutMs });
  try {
    const statement = await sql<{ statement_timeout: string }>`show statement_timeout`.execute(db);
    const lock = await sql<{ lock_timeout: string }>`show lock_timeout`.execute(db);
    return { ...statement.rows[0], ...lock.rows[0] };
  } finally {
    await db.destroy();
  }
}

describe('a lock held by another transaction (on PostgreSQL)', () => {
  it('gives every connection of the pool lock_timeout = DATABASE_LOCK_TIMEOUT_MS and a 1 min idle-in-transaction timeout', async () => {
    const app = await startTestApp({ DATABASE_LOCK_TIMEOUT_MS: String(LOCK_TIMEOUT_MS) }, undefined, { postgres: true });
    try {
      // Two transactions at once: two connections of the pool, each asked for its settings.
      const settings = await Promise.all(
        [1, 2].map(() =>
          app.db.transaction().execute(async (trx) => {
            const lock = await sql<{ lock_timeout: string }>`show lock_timeout`.execute(trx);
            const idle = await sql<{ idle_in_transaction_session_timeout: string }>`show idle_in_transaction_session_timeout`.execute(trx);
            const pid = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
            await new Promise((resolve) => setTimeout(resolve, 50));
            return { ...lock.rows[0], ...idle.rows[0], pid: pid.rows[0]!.pid };
          }),
        ),
      );
      expect(settings[0]!.pid).not.toBe(settings[1]!.pid);
      for (const { pid: _pid, ...shown } of settings) {
        expect(shown).toEqual({ lock_timeout: '300ms', idle_in_transaction_session_timeout: '1min' });
      }
    } finally {
      await app.close();
    }
  });

  it("keeps the options DATABASE_URL gives, with its own lock_timeout over theirs, however the URL is written", async () => {
    const app = await startTestApp({}, undefined, { postgres: true });
    const { username, hostname, port, pathname } = new URL(app.config.databaseUrl);
    const theirs = `options=${GIVEN_OPTIONS}`;
    const shown = (url: string) => shownTimeouts(app, url, LOCK_TIMEOUT_MS);
    try {
      expect(await shown(`postgres://${username}@${hostname}:${port}${pathname}?${theirs}`)).toEqual({ statement_timeout: '7s', lock_timeout: '300ms' });
      // A unix socket's form: no host before the path, so no WHATWG URL, and pg reads it all the same.
      expect(await shown(`postgres://${username}@${pathname}?host=${hostname}&port=${port}&${theirs}`)).toEqual({
        statement_timeout: '7s',
        lock_timeout: '300ms',
      });
      // An empty one (a template whose variable was empty) would replace ours with nothing.
      expect(await shown(`postgres://${username}@${hostname}:${port}${pathname}?options=`)).toEqual({ statement_timeout: '0', lock_timeout: '300ms' });
    } finally {
      await app.close();
    }
  });

  it('sends no options of its own with DATABASE_LOCK_TIMEOUT_MS=off, for a pooler that refuses them', async () => {
    const app = await startTestApp({}, undefined, { postgres: true });
    const { username, hostname, port, pathname } = new URL(app.config.databaseUrl);
    try {
      expect(await shownTimeouts(app, `postgres://${username}@${hostname}:${port}${pathname}?options=${GIVEN_OPTIONS}`, null)).toEqual({
        statement_timeout: '7s',
        lock_timeout: '1ms',
      });
    } finally {
      await app.close();
    }
  });

  it('answers a write that waits DATABASE_LOCK_TIMEOUT_MS for a row lock 500, logs why, and stores nothing', async () => {
    const { lines, logger } = readableLogger();
    const app = await startTestApp({ DATABASE_LOCK_TIMEOUT_MS: String(LOCK_TIMEOUT_MS) }, logger, { postgres: true });
    let holder: Awaited<ReturnType<typeof pgLockHolder>> | undefined;
    try {
      const account = await createAccount(app.url, 'locked');
      const { conversation_id: id } = await createConversation(app.url, account.accessToken);
      // A send updates its conversation's row first (it hands out the message's seq).
      holder = await pgLockHolder(app.config.databaseUrl, 'select id from conversations where id = $1 for update', [id]);
      await expectSendRefusedByLock(app, lines, account, id);
      expect(lines.find((line) => line.msg === LOCK_LOG)).toMatchObject({ err: { code: '55P03' } });
      await holder.release();
      expect((await timedSend(app, account, id)).res.status).toBe(200);
      expect(await countStoredMessages(app.db, id)).toBe(1);
    } finally {
      await holder?.release();
      await app.close();
    }
  });

  it('keeps a usage record behind a lock held past all its other retries, and stores it once the lock is released', async () => {
    const { lines, logger } = readableLogger();
    const app = await startTestApp({ DATABASE_LOCK_TIMEOUT_MS: String(LOCK_TIMEOUT_MS) }, logger, { postgres: true });
    let holder: Awaited<ReturnType<typeof pgLockHolder>> | undefined;
    try {
      const account = await createAccount(app.url, 'recorded');
      // What a rebuild of the statistics rollup holds while it recounts.
      holder = await pgLockHolder(app.config.databaseUrl, 'lock table conversations, messages, api_calls in share row exclusive mode');
      const refused = await request(app.url, 'POST', '/api/bailian/chat/completions', {
        token: account.accessToken,
        body: { model: 'qwen-plus', messages: [] },
      });
      expect(refused.status).toBe(400);
      // Longer than the other failures' retries (2.6 s) and four lock waits take together.
      await sleep(4 * LOCK_TIMEOUT_MS + 3_000);
      expect(await apiCallsOf(app.db, account.userId)).toEqual([]);
      await holder.release();
      await eventually(async () => expect(await apiCallsOf(app.db, account.userId)).toMatchObject([{ status_code: 400 }]));
      expect(lines.filter((line) => line.level >= 50)).toEqual([]);
    } finally {
      await holder?.release();
      await app.close();
    }
  }, 20_000);

  it('lets a rebuild of the statistics rollup wait for its tables as long as another holds them', async () => {
    const app = await startTestApp({ DATABASE_LOCK_TIMEOUT_MS: String(LOCK_TIMEOUT_MS) }, undefined, { postgres: true });
    // What another replica's rebuild holds while it recounts.
    const holder = await pgLockHolder(app.config.databaseUrl, 'lock table conversations, messages, api_calls in share row exclusive mode');
    try {
      let settled = false;
      const rebuilt = rebuildStatsRollup(app.db, 'Asia/Shanghai').finally(() => (settled = true));
      await sleep(3 * LOCK_TIMEOUT_MS);
      expect(settled).toBe(false);
      await holder.release();
      await rebuilt;
    } finally {
      await holder.release();
      await app.close();
    }
  });

  it('stops start-up with one line naming DATABASE_LOCK_TIMEOUT_MS when a migration waits that long for a lock', async () => {
    const app = await startTestApp({}, undefined, { postgres: true });
    // What another replica's migration holds while it runs: the table of applied migrations.
    const holder = await pgLockHolder(app.config.databaseUrl, 'lock table kysely_migration in access exclusive mode');
    try {
      expect(await stderrOfStartStoppedByLock(app.config.databaseUrl)).toContain('lock timeout');
    } finally {
      await holder.release();
      await app.close();
    }
  });
});

/** Starts the server on `databaseUrl`; expects it to stop with one line naming DATABASE_LOCK_TIMEOUT_MS, and returns its stderr. */
async function stderrOfStartStoppedByLock(databaseUrl: string): Promise<string> {
  const server = startServerProcess({
    DATABASE_URL: databaseUrl,
    DATABASE_LOCK_TIMEOUT_MS: String(LOCK_TIMEOUT_MS),
    JWT_SECRET: TEST_JWT_SECRET,
    PORT: '0',
  });
  await expectRefusedStart(server, 'DATABASE_LOCK_TIMEOUT_MS');
  return server.stderr();
}

describe('a lock held by another connection to the SQLite file', () => {
  it('answers a write that waits DATABASE_LOCK_TIMEOUT_MS for the write lock 500, logs why, and stores nothing', async () => {
    const file = join(dir, 'held.sqlite');
    const { lines, logger } = readableLogger();
    const app = await startTestApp({ DATABASE_URL: `sqlite:${file}`, DATABASE_LOCK_TIMEOUT_MS: String(LOCK_TIMEOUT_MS) }, logger);
    let holder: ReturnType<typeof sqliteLockHolder> | undefined;
    try {
      const account = await createAccount(app.url, 'locked');
      const { conversation_id: id } = await createConversation(app.url, account.accessToken);
      holder = sqliteLockHolder(file);
      await expectSendRefusedByLock(app, lines, account, id);
      expect(lines.find((line) => line.msg === LOCK_LOG)).toMatchObject({ err: { code: 'SQLITE_BUSY' } });
      holder.release();
      expect((await timedSend(app, account, id)).res.status).toBe(200);
      expect(await countStoredMessages(app.db, id)).toBe(1);
    } finally {
      holder?.release();
      await app.close();
    }
  });

  it('stops start-up with one line naming DATABASE_LOCK_TIMEOUT_MS when the migrations wait that long for the write lock', async () => {
    const file = join(dir, 'held-at-start.sqlite');
    const holder = sqliteLockHolder(file);
    try {
      expect(await stderrOfStartStoppedByLock(`sqlite:${file}`)).toContain('database is locked');
    } finally {
      holder.release();
    }
  });
});
