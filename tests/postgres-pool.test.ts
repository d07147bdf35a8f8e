import { EventEmitter } from 'node:events';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createPgPool } from '../server/src/db/database.js';
import { startTestApp } from './support/test-app.js';

const lost = () => Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });

describe('the PostgreSQL pool', () => {
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
});
