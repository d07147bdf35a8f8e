import { sql, type RawBuilder } from 'kysely';
import type { TestApp } from './test-app.js';

/**
 * Holds one of `app`'s connections (SQLite's only one; with DATABASE_POOL_MAX=1 the PostgreSQL
 * pool's only one) in a transaction that first runs `statement`, until `release` is called: what a
 * long transaction does to the requests behind it. `release` may be called more than once, so a
 * test's `finally` can call it whatever failed first (a held connection would hold the app's close).
 */
export async function holdConnection(app: TestApp, statement: RawBuilder<unknown> = sql`select 1`): Promise<{ release(): Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let holding!: () => void;
  const isHolding = new Promise<void>((resolve) => (holding = resolve));
  const transaction = app.db.transaction().execute(async (trx) => {
    await statement.execute(trx);
    holding();
    await released;
  });
  await Promise.race([isHolding, transaction]);
  return {
    release: async () => {
      release();
      await transaction;
    },
  };
}
