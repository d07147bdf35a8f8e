import type { Db } from '../db/database.js';
import type { ConversationRow, NewConversation } from '../db/schema.js';
import { onConversationCreated, onConversationDeleted } from '../history/stats-hooks.js';

export const CONVERSATION_LIVE = 1;
export const CONVERSATION_DELETED = 0;

/** A conversation that is not deleted, whoever owns it (callers check ownership). */
export function findLiveConversation(db: Db, id: number): Promise<ConversationRow | undefined> {
  return db
    .selectFrom('conversations')
    .selectAll()
    .where('id', '=', id)
    .where('status', '!=', CONVERSATION_DELETED)
    .executeTakeFirst();
}

/** Stores a conversation and tells the statistics, in one transaction. */
export function insertConversation(db: Db, conversation: NewConversation): Promise<ConversationRow> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.insertInto('conversations').values(conversation).returningAll().executeTakeFirstOrThrow();
    await onConversationCreated(trx, {
      id: row.id,
      user_id: row.user_id,
      model_name: row.model_name,
      created_at: row.created_at,
    });
    return row;
  });
}

export interface ConversationFilter {
  userId: number;
  modelName?: string | undefined;
}

// `status = live` (not `!= deleted`) so that the (user_id, [model_name,] status, updated_at, id)
// indexes serve both the filter and the order, with no sort.
function liveConversationsOf(db: Db, filter: ConversationFilter) {
  let query = db
    .selectFrom('conversations')
    .where('user_id', '=', filter.userId)
    .where('status', '=', CONVERSATION_LIVE);
  if (filter.modelName !== undefined) query = query.where('model_name', '=', filter.modelName);
  return query;
}

/** One page of a user's live conversations, newest-updated first. */
export function listConversations(
  db: Db,
  filter: ConversationFilter,
  page: { limit: number; offset: number },
): Promise<ConversationRow[]> {
  return liveConversationsOf(db, filter)
    .selectAll()
    .orderBy('updated_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

export async function countConversations(db: Db, filter: ConversationFilter): Promise<number> {
  const { count } = await liveConversationsOf(db, filter)
    .select((eb) => eb.fn.countAll().as('count'))
    .executeTakeFirstOrThrow();
  return Number(count);
}

/** Renames a live conversation; undefined when it is gone. */
export function updateConversationTitle(
  db: Db,
  id: number,
  title: string,
  now: string,
): Promise<ConversationRow | undefined> {
  return db
    .updateTable('conversations')
    .set({ title, updated_at: now })
    .where('id', '=', id)
    .where('status', '!=', CONVERSATION_DELETED)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Marks a conversation deleted; its messages stay as they are but every read reaches them through
 * the live conversation, so they are gone too. The statistics hear of it only when this call is the
 * one that deleted it (not for a repeat or a lost race).
 */
export function softDeleteConversation(db: Db, id: number): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('conversations')
      .set({ status: CONVERSATION_DELETED })
      .where('id', '=', id)
      .where('status', '!=', CONVERSATION_DELETED)
      .executeTakeFirst();
    const deleted = Number(result.numUpdatedRows) === 1;
    if (deleted) await onConversationDeleted(trx, id);
    return deleted;
  });
}
