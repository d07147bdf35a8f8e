import { describe, expect, it } from 'vitest';
import { createPgPool } from '../server/src/db/database.js';

describe('the PostgreSQL pool', () => {
  it('logs an idle connection that dies instead of ending the process', async () => {
    const warnings: unknown[][] = [];
    // No server is needed: a pool opens connections only for queries.
    const pool = createPgPool('postgres://nobody@127.0.0.1:1/none', { warn: (...args: unknown[]) => warnings.push(args) } as never);
    const lost = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    // What pg does when a server ends an idle connection (a restart, a failover, pg_terminate_backend):
    // an 'error' on the pool, which with no listener is thrown and ends the process.
    expect(() => pool.emit('error', lost)).not.toThrow();
    expect(warnings).toEqual([[{ err: lost }, 'idle database connection lost']]);
    await pool.end();
  });
});
