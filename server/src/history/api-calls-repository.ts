import type { Db } from '../db/database.js';
import type { ApiCallRow, NewApiCall } from '../db/schema.js';
import { perDatabase, prepareCommittedListQuery } from '../db/prepared-query.js';
import { apiCallTotal, apiCallTotalArgs, type StatsFilter } from './statistics-repository.js';
import { onApiCallsRecorded } from './stats-hooks.js';

/**
 * Stores API-call records (spec §5.1) and keeps the statistics in step, atomically: one multi-row
 * insert and one rollup update however many calls there are. Returns their ids in order.
 */
export async function insertApiCalls(db: Db, calls: NewApiCall[]): Promise<number[]> {
  return db.transaction().execute(async (trx) => {
    const rows = await trx.insertInto('api_calls').values(calls).returning('id').execute();
    const ids = rows.map((row) => row.id);
    await onApiCallsRecorded(
      trx,
      calls.map((call, i) => ({
        id: ids[i]!,
        user_id: call.user_id,
        model_name: call.model_name,
        total_tokens: call.total_tokens ?? 0,
        created_at: call.created_at,
      })),
    );
    return ids;
  });
}

export async function insertApiCall(db: Db, call: NewApiCall): Promise<number> {
  const [id] = await insertApiCalls(db, [call]);
  return id!;
}

export interface ApiCallFilter extends StatsFilter {
  /** ISO bounds on `created_at` for the filter's days: from <= created_at < to. */
  from?: string | undefined;
  to?: string | undefined;
}

/** Which filters a page query applies: each combination is its own statement (and index use). */
interface PageShape {
  model: boolean;
  from: boolean;
  to: boolean;
}

/**
 * One page of a user's API calls, newest first, with the filter's total from the statistics rollup
 * in the same statement (one snapshot, no count over the rows). The ids are picked on the
 * (user_id, [model_name,] created_at, id) index alone and only the page's rows are read, so deep
 * pages skip index entries, not whole rows.
 */
function pageQuery(db: Db, shape: PageShape) {
  return (
    userId: number,
    model: string,
    from: string,
    to: string,
    totalModel: string,
    totalFrom: string,
    totalTo: string,
    limit: number,
    offset: number,
  ) => {
    let ids = db.selectFrom('api_calls').select('id').where('user_id', '=', userId);
    if (shape.model) ids = ids.where('model_name', '=', model);
    if (shape.from) ids = ids.where('created_at', '>=', from);
    if (shape.to) ids = ids.where('created_at', '<', to);
    return db
      .selectFrom('api_calls')
      .selectAll()
      .select(apiCallTotal(db, userId, totalModel, totalFrom, totalTo).as('total'))
      .where('id', 'in', ids.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset))
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc');
  };
}

function preparePage(db: Db, shape: PageShape) {
  return prepareCommittedListQuery(db, 9, pageQuery(db, shape));
}

// Compiled on first use, once per database and shape.
const pageQueries = perDatabase((db: Db) => {
  const prepared = new Map<string, ReturnType<typeof preparePage>>();
  return (shape: PageShape) => {
    const key = `${shape.model}/${shape.from}/${shape.to}`;
    let query = prepared.get(key);
    if (!query) {
      query = preparePage(db, shape);
      prepared.set(key, query);
    }
    return query;
  };
});

export async function listApiCalls(
  db: Db,
  filter: ApiCallFilter,
  page: { limit: number; offset: number },
): Promise<{ rows: ApiCallRow[]; total: number }> {
  const query = pageQueries(db)({ model: filter.modelName !== undefined, from: filter.from !== undefined, to: filter.to !== undefined });
  const [userId, totalModel, totalFrom, totalTo] = apiCallTotalArgs(filter);
  const rows = await query(userId, filter.modelName ?? '', filter.from ?? '', filter.to ?? '', totalModel, totalFrom, totalTo, page.limit, page.offset);
  return { rows, total: Number(rows[0]?.total ?? 0) };
}
