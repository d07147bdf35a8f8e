import { sql } from 'kysely';
import { nowIso } from '../db/clock.js';
import { isPostgres } from '../db/dialect.js';
import { localCalendar } from './local-calendar.js';
import { DELETED_STATUS, RollupTally } from './rollup-tally.js';
import { type Executor, replaceRollup, rollupTimezone, setRollupTimezone } from './stats-rollup-repository.js';

/** Raw rows read per query while recounting: bounded memory however big the tables are. */
const BATCH = 20_000;

/** Runs `fetch` over consecutive id ranges (keyset pagination) until it comes back short. */
async function eachBatch<T extends { id: number }>(fetch: (afterId: number) => Promise<T[]>, visit: (row: T) => void) {
  let afterId = 0;
  for (;;) {
    const rows = await fetch(afterId);
    for (const row of rows) visit(row);
    if (rows.length < BATCH) return;
    afterId = rows[rows.length - 1]!.id;
  }
}

/** Tallies the rollup from the raw rows, as the write hooks would have kept it, in `timeZone`. */
export async function recountStatsRollup(db: Executor, timeZone: string): Promise<RollupTally> {
  const tally = new RollupTally(localCalendar(timeZone));
  await eachBatch(
    (afterId) =>
      db
        .selectFrom('conversations')
        .select(['id', 'user_id', 'model_name', 'created_at'])
        .where('status', '!=', DELETED_STATUS)
        .where('id', '>', afterId)
        .orderBy('id')
        .limit(BATCH)
        .execute(),
    (conversation) => tally.conversation(conversation, 1),
  );
  await eachBatch(
    (afterId) =>
      db
        .selectFrom('messages')
        .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
        .select([
          'messages.id',
          'messages.created_at as message_created_at',
          'conversations.user_id',
          'conversations.model_name',
          'conversations.created_at',
        ])
        .where('messages.status', '!=', DELETED_STATUS)
        .where('conversations.status', '!=', DELETED_STATUS)
        .where('messages.id', '>', afterId)
        .orderBy('messages.id')
        .limit(BATCH)
        .execute(),
    (message) => tally.message(message, message.message_created_at, 1),
  );
  await eachBatch(
    (afterId) =>
      db
        .selectFrom('api_calls')
        .select(['id', 'user_id', 'model_name', 'total_tokens', 'created_at'])
        .where('id', '>', afterId)
        .orderBy('id')
        .limit(BATCH)
        .execute(),
    (call) => tally.apiCall(call),
  );
  return tally;
}

/**
 * Rebuilds the rollup from the raw rows in `timeZone`, in one transaction. On PostgreSQL the raw
 * tables are locked against writers first: writers in flight finish before the recount reads;
 * later ones wait, a request up to DATABASE_LOCK_TIMEOUT_MS (then it answers 500), a background
 * write (a usage record, an assistant reply) until the lock is released (retryTransient), and find
 * the new zone. The rebuild itself waits for its lock as long as it takes (lock_timeout 0 for this
 * transaction), so that a replica starting while another rebuilds waits for it rather than failing
 * to start. SQLite runs one write transaction at a time anyway.
 */
export async function rebuildStatsRollup(db: Executor, timeZone: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (isPostgres(trx)) {
      await sql`set local lock_timeout = 0`.execute(trx);
      await sql`lock table conversations, messages, api_calls in share row exclusive mode`.execute(trx);
    }
    await replaceRollup(trx, await recountStatsRollup(trx, timeZone));
    await setRollupTimezone(trx, timeZone, nowIso());
  });
}

/** Builds the rollup when it was never built or was kept in another zone than `timeZone`. */
export async function ensureStatsRollup(db: Executor, timeZone: string): Promise<void> {
  if ((await rollupTimezone(db)) !== timeZone) await rebuildStatsRollup(db, timeZone);
}
