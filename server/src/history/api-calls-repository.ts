import type { Db } from '../db/database.js';
import type { ApiCallRow, NewApiCall } from '../db/schema.js';
import { apiCallTotal, type StatsFilter } from './statistics-repository.js';
import { onApiCallRecorded } from './stats-hooks.js';

/** Stores one API-call record (spec §5.1) and keeps the statistics in step, atomically. */
export async function insertApiCall(db: Db, call: NewApiCall): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const { id } = await trx.insertInto('api_calls').values(call).returning('id').executeTakeFirstOrThrow();
    await onApiCallRecorded(trx, {
      id,
      user_id: call.user_id,
      model_name: call.model_name,
      total_tokens: call.total_tokens ?? 0,
      created_at: call.created_at,
    });
    return id;
  });
}

export interface ApiCallFilter extends StatsFilter {
  /** ISO bounds on `created_at` for the filter's days: from <= created_at < to. */
  from?: string | undefined;
  to?: string | undefined;
}

/**
 * One page of a user's API calls, newest first, with the filter's total from the statistics rollup
 * in the same statement (one snapshot, no count over the rows). The ids are picked on the
 * (user_id, [model_name,] created_at, id) index alone and only the page's rows are read, so deep
 * pages skip index entries, not whole rows.
 */
export async function listApiCalls(
  db: Db,
  filter: ApiCallFilter,
  page: { limit: number; offset: number },
): Promise<{ rows: ApiCallRow[]; total: number }> {
  let ids = db.selectFrom('api_calls').select('id').where('user_id', '=', filter.userId);
  if (filter.modelName !== undefined) ids = ids.where('model_name', '=', filter.modelName);
  if (filter.from !== undefined) ids = ids.where('created_at', '>=', filter.from);
  if (filter.to !== undefined) ids = ids.where('created_at', '<', filter.to);
  const rows = await db
    .selectFrom('api_calls')
    .selectAll()
    .select(apiCallTotal(db, filter).as('total'))
    .where('id', 'in', ids.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit).offset(page.offset))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return { rows, total: Number(rows[0]?.total ?? 0) };
}
