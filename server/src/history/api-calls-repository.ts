import type { Db } from '../db/database.js';
import type { NewApiCall } from '../db/schema.js';
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
