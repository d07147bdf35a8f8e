import type { Db } from '../db/database.js';
import type { ApiCallRow, NewApiCall } from '../db/schema.js';
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

export interface ApiCallFilter {
  userId: number;
  modelName?: string | undefined;
  /** ISO bounds on `created_at`: from <= created_at < to. */
  from?: string | undefined;
  to?: string | undefined;
}

/**
 * One page of a user's API calls, newest first. The ids are picked on the (user_id, [model_name,]
 * created_at, id) index alone and only the page's rows are read, so deep pages skip index entries,
 * not whole rows.
 */
export function listApiCalls(db: Db, filter: ApiCallFilter, page: { limit: number; offset: number }): Promise<ApiCallRow[]> {
  let ids = db.selectFrom('api_calls').select('id').where('user_id', '=', filter.userId);
  if (filter.modelName !== undefined) ids = ids.where('model_name', '=', filter.modelName);
  if (filter.from !== undefined) ids = ids.where('created_at', '>=', filter.from);
  if (filter.to !== undefined) ids = ids.where('created_at', '<', filter.to);
  return db
    .selectFrom('api_calls')
    .selectAll()
    .where('id', 'in', ids.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit).offset(page.offset))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}
