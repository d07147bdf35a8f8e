import type { Kysely } from 'kysely';
import type { Database, StatsDailyTable, StatsMessageSpansTable } from '../db/schema.js';
import type { RollupTally } from './rollup-tally.js';

/** A transaction or the database: rollup writes run inside the transaction of the raw write. */
export type Executor = Kysely<Database>;

const STATE_ID = 1;
/** Rows per multi-row INSERT: 7 columns each stays far below every driver's parameter limit. */
const INSERT_CHUNK = 500;

/** The zone the rollup is kept in, or null while it has never been built. */
export async function rollupTimezone(db: Executor): Promise<string | null> {
  const row = await db.selectFrom('stats_rollup_state').select('timezone').where('id', '=', STATE_ID).executeTakeFirst();
  return row?.timezone ?? null;
}

export async function setRollupTimezone(db: Executor, timeZone: string, at: string): Promise<void> {
  await db.updateTable('stats_rollup_state').set({ timezone: timeZone, built_at: at }).where('id', '=', STATE_ID).execute();
}

/**
 * Adds a tallied change to the stored rollup: upserts whose update adds to the stored values, so
 * concurrent writers on PostgreSQL never lose an increment; SQLite runs the same SQL. A tally's rows
 * have distinct keys, so each multi-row upsert touches a row at most once, as PostgreSQL requires.
 */
export async function addTally(db: Executor, tally: RollupTally): Promise<void> {
  for (const rows of chunks(tally.dailyRows())) {
    await db
      .insertInto('stats_daily')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['user_id', 'model_name', 'day']).doUpdateSet((eb) => ({
          conversation_count: eb('stats_daily.conversation_count', '+', eb.ref('excluded.conversation_count')),
          message_count: eb('stats_daily.message_count', '+', eb.ref('excluded.message_count')),
          token_count: eb('stats_daily.token_count', '+', eb.ref('excluded.token_count')),
          call_count: eb('stats_daily.call_count', '+', eb.ref('excluded.call_count')),
        })),
      )
      .execute();
  }
  for (const rows of chunks(tally.spanRows())) {
    await db
      .insertInto('stats_message_spans')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['user_id', 'message_day', 'model_name', 'conversation_day']).doUpdateSet((eb) => ({
          message_count: eb('stats_message_spans.message_count', '+', eb.ref('excluded.message_count')),
        })),
      )
      .execute();
  }
}

/** `rows` in slices of at most INSERT_CHUNK, none empty. */
function chunks<T>(rows: T[]): T[][] {
  const slices: T[][] = [];
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) slices.push(rows.slice(i, i + INSERT_CHUNK));
  return slices;
}

/** Replaces the whole stored rollup with a tally of everything (the rebuild's last step). */
export async function replaceRollup(db: Executor, tally: RollupTally): Promise<void> {
  await db.deleteFrom('stats_daily').execute();
  await db.deleteFrom('stats_message_spans').execute();
  for (const rows of chunks(tally.dailyRows())) await db.insertInto('stats_daily').values(rows).execute();
  for (const rows of chunks(tally.spanRows())) await db.insertInto('stats_message_spans').values(rows).execute();
}

/** The stored rollup, in a stable order (for comparing it with a recount). */
export async function storedRollup(db: Executor): Promise<{ daily: StatsDailyTable[]; spans: StatsMessageSpansTable[] }> {
  const daily = await db
    .selectFrom('stats_daily')
    .selectAll()
    .where((eb) =>
      eb.or([eb('conversation_count', '!=', 0), eb('message_count', '!=', 0), eb('token_count', '!=', 0), eb('call_count', '!=', 0)]),
    )
    .orderBy('user_id')
    .orderBy('day')
    .orderBy('model_name')
    .execute();
  const spans = await db
    .selectFrom('stats_message_spans')
    .selectAll()
    .where('message_count', '!=', 0)
    .orderBy('user_id')
    .orderBy('message_day')
    .orderBy('conversation_day')
    .orderBy('model_name')
    .execute();
  return {
    daily: daily.map((r) => ({ ...r, token_count: Number(r.token_count) })),
    spans,
  };
}
