import { EventEmitter } from 'node:events';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createPgPool } from '../server/src/db/database.js';
import { holdConnection } from './support/hold-connections.js';
import { createAccount } from './support/http.js';
import { readableLogger } from './support/readable-logger.js';
import { silentDatabase } from './support/silent-database.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const lost = () => Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });

const NO_CONNECTION_LOG = 'no database connection within DATABASE_CONNECT_TIMEOUT_MS (pool busy or database not answering)';

/** A request that gives up after 10 s (a hang fails the test rather than holding it), and how long it took. */
async function timedRequest(url: string, init: RequestInit = {}): Promise<{ status: number; body: any; ms: number }> {
  const started = performance.now();
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const body = await res.json();
  return { status: res.status, body, ms: performance.now() - started };
}

const login = (app: TestApp, username: string, password: string) =>
  timedRequest(`${app.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });

describe('the PostgreSQL pool', () => {
  it('takes its size and connection wait from the configuration, and waits 5 s at the most by default', async () => {
    const sized = createPgPool('postgres://nobody@127.0.0.1:1/none', undefined, { max: 3, connectTimeoutMs: 250, lockTimeoutMs: 250 });
    expect(sized.options).toMatchObject({ max: 3, connectionTimeoutMillis: 250 });
    await sized.end();
    const byDefault = createPgPool('postgres://nobody@127.0.0.1:1/none');
    expect(byDefault.options).toMatchObject({ max: 10, connectionTimeoutMillis: 5_000 });
    await byDefault.end();
  });

  it('answers a request 500 in the envelope after DATABASE_CONNECT_TIMEOUT_MS when the server does not answer', async () => {
    const silent = await silentDatabase();
    const { lines, logger } = readableLogger();
    const app = await startTestApp({ DATABASE_URL: silent.url, DATABASE_CONNECT_TIMEOUT_MS: '300' }, logger, { migrate: false });
    try {
      // Login reads the user first: that query waits for a connection the silent server never completes.
      const res = await login(app, 'somebody', 'a-password-long-enough');
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ code: 500, message: '服务器内部错误', data: null });
      expect(res.ms).toBeGreaterThanOrEqual(250);
      expect(res.ms).toBeLessThan(5_000);
      expect(lines.find((line) => line.msg === NO_CONNECTION_LOG)).toMatchObject({ level: 50, err: { message: expect.stringMatching(/connection timeout/) } });
    } finally {
      await silent.close();
      await app.close();
    }
  });

  it('logs an idle connection that dies instead of ending the process', async () => {
    const warnings: unknown[][] = [];
    // No server is needed: a pool opens connections only for queries.
    const pool = createPgPool('postgres://nobody@127.0.0.1:1/none', { warn: (...args: unknown[]) => warnings.push(args) } as never);
    const err = lost();
    // What pg does when a server ends an idle connection (a restart, a failover, pg_terminate_backend):
    // an 'error' on the pool, which with no listener is thrown and ends the process.
    expect(() => pool.emit('error', err)).not.toThrow();
    expect(warnings).toEqual([[{ err }, 'idle database connection lost']]);
    await pool.end();
  });

  it('survives a connection that dies while checked out', async () => {
    const pool = createPgPool('postgres://nobody@127.0.0.1:1/none');
    // Every client the pool opens is announced by 'connect'. Checked out, it has no listener of the
    // pool's: when its server ends it between two queries, pg emits 'error' on the client itself.
    const client = new EventEmitter();
    pool.emit('connect', client);
    expect(() => client.emit('error', lost())).not.toThrow();
    await pool.end();
  });

  it('fails only the transaction whose connection was terminated, and serves the next query (on PostgreSQL)', async () => {
    const app = await startTestApp({}, undefined, { postgres: true });
    try {
      const failed = app.db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
        // Ended from another connection while this transaction is between two queries (seen under
        // load: the 'error' pg emitted on the checked-out client ended the server's process).
        await sql`select pg_terminate_backend(${rows[0]!.pid})`.execute(app.db);
        await new Promise((resolve) => setTimeout(resolve, 200));
        await sql`select 1`.execute(trx);
      });
      await expect(failed).rejects.toThrow();
      const { rows } = await sql<{ one: number }>`select 1 as one`.execute(app.db);
      expect(rows).toEqual([{ one: 1 }]);
      const ready = await fetch(`${app.url}/readyz`);
      expect(ready.status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('answers a request 500 after DATABASE_CONNECT_TIMEOUT_MS behind a pool held by a locking transaction, not never (on PostgreSQL)', async () => {
    const { lines, logger } = readableLogger();
    const app = await startTestApp({ DATABASE_POOL_MAX: '1', DATABASE_CONNECT_TIMEOUT_MS: '500' }, logger, { postgres: true });
    let hold: Awaited<ReturnType<typeof holdConnection>> | undefined;
    try {
      const account = await createAccount(app.url, 'held');
      // The soak's case: a transaction that holds a table lock, here on the pool's only connection.
      hold = await holdConnection(app, sql`lock table users in access exclusive mode`);
      const waited = await login(app, account.username, account.password);
      expect(waited.status).toBe(500);
      expect(waited.body).toEqual({ code: 500, message: '服务器内部错误', data: null });
      expect(waited.ms).toBeGreaterThanOrEqual(450);
      expect(waited.ms).toBeLessThan(5_000);
      expect(lines.find((line) => line.msg === NO_CONNECTION_LOG)).toMatchObject({
        level: 50,
        err: { message: 'timeout exceeded when trying to connect' },
      });
      const ready = await timedRequest(`${app.url}/readyz`);
      expect(ready.status).toBe(503);
      await hold.release();
      expect((await login(app, account.username, account.password)).status).toBe(200);
      expect((await timedRequest(`${app.url}/readyz`)).status).toBe(200);
    } finally {
      await hold?.release();
      await app.close();
    }
  });
});
