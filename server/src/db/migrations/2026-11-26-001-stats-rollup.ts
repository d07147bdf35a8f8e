import { type CreateTableBuilder, type Kysely, sql } from 'kysely';
import { isPostgres } from '../dialect.js';

/**
 * The statistics rollup (spec §5.2 at scale), kept on write by server/src/history/stats-hooks.ts.
 *
 * Queries always cover whole local days of STATS_TIMEZONE, so counts are kept per local day of the
 * zone recorded in `stats_rollup_state`; when the configured zone differs (or the rollup was never
 * built, as right after this migration) the history service rebuilds it from the raw rows.
 *
 * - `stats_daily`: per user, model and day: conversations created, live messages of live
 *   conversations (by the message's own day), tokens and API calls. An empty `model_name` (never a
 *   real one) sums all models and an empty `day` sums all days, so the common questions (a whole
 *   history, every model) read a handful of rows instead of adding up a year of them.
 * - `stats_message_spans`: the messages whose day differs from their conversation's day. A message
 *   counts for a range only when both days are in it, which for a same-day message is simply its
 *   own day; these rows are what a range must take back.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('stats_rollup_state')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('timezone', 'varchar(64)')
    .addColumn('built_at', 'varchar(30)')
    .execute();
  // The one row exists from the start, so a rebuild can lock it; `timezone` null means never built.
  await db.insertInto('stats_rollup_state').values({ id: 1, timezone: null, built_at: null }).execute();

  await db.schema
    .createTable('stats_daily')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('model_name', 'varchar(100)', (c) => c.notNull())
    .addColumn('day', 'varchar(10)', (c) => c.notNull())
    .addColumn('conversation_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('message_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('token_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('call_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('stats_daily_pk', ['user_id', 'model_name', 'day'])
    .$call(clusteredOnSqlite(db))
    .execute();
  // A user's models, from the all-days rows: each model's days are then read as one key range.
  await db.schema.createIndex('stats_daily_user_day_model').on('stats_daily').columns(['user_id', 'day', 'model_name']).execute();

  await db.schema
    .createTable('stats_message_spans')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('message_day', 'varchar(10)', (c) => c.notNull())
    .addColumn('conversation_day', 'varchar(10)', (c) => c.notNull())
    .addColumn('model_name', 'varchar(100)', (c) => c.notNull())
    .addColumn('message_count', 'integer', (c) => c.notNull().defaultTo(0))
    // In this order a range of message days comes out grouped by (message_day, model_name) already.
    .addPrimaryKeyConstraint('stats_message_spans_pk', ['user_id', 'message_day', 'model_name', 'conversation_day'])
    .$call(clusteredOnSqlite(db))
    .execute();
}

/**
 * On SQLite a WITHOUT ROWID table stores rows in primary-key order, so a range of days is read in
 * one sequential pass with no lookup per row. PostgreSQL has no such clause and needs none.
 */
function clusteredOnSqlite(db: Kysely<any>) {
  return <T extends CreateTableBuilder<any, any>>(builder: T): T =>
    isPostgres(db) ? builder : (builder.modifyEnd(sql`without rowid`) as T);
}
