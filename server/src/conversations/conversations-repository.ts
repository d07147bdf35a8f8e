import type { Db } from '../db/database.js';
import { isStorableId } from '../db/dialect.js';
import { perDatabase, prepareListQuery, prepareQuery } from '../db/prepared-query.js';
import type { ConversationRow, NewConversation } from '../db/schema.js';
import { onConversationCreated, onConversationDeleted } from '../history/stats-hooks.js';

export const CONVERSATION_LIVE = 1;
export const CONVERSATION_DELETED = 0;

/**
 * The columns a list shows, and no more: the SQLite driver of Node >= 22 (better-sqlite3 13) pays
 * for every column of every row it hands back.
 */
const LISTED_COLUMNS = ['id', 'title', 'model_name', 'status', 'created_at', 'updated_at'] as const;
export type ListedConversation = Pick<ConversationRow, (typeof LISTED_COLUMNS)[number]>;

/**
 * The page query, with or without the model filter. `status = live` (not `!= deleted`) so that the (user_id, [model_name,] status, updated_at, id)
 * indexes serve both the filter and the order, with no sort.
 */
function livePage(db: Db, ofModel: boolean) {
  return (userId: number, limit: number, offset: number, modelName?: string) => {
    let query = db
      .selectFrom('conversations')
      .select(LISTED_COLUMNS)
      .where('user_id', '=', userId)
      .where('status', '=', CONVERSATION_LIVE);
    if (ofModel) query = query.where('model_name', '=', modelName!);
    return query.orderBy('updated_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset);
  };
}

/** The sum of the kept live counts of a user's conversations, optionally of one model. */
function liveTotal(db: Db, ofModel: boolean) {
  return (userId: number, modelName?: string) => {
    let query = db.selectFrom('conversation_counts').where('user_id', '=', userId);
    if (ofModel) query = query.where('model_name', '=', modelName!);
    return query.select((eb) => eb.fn.sum<number | string | null>('live_count').as('total'));
  };
}

// The reads on the path of every conversation request, compiled once per database.
const queries = perDatabase((db: Db) => ({
  findLive: prepareQuery(db, 1, (id: number) =>
    db.selectFrom('conversations').selectAll().where('id', '=', id).where('status', '!=', CONVERSATION_DELETED),
  ),
  page: prepareListQuery(db, 3, livePage(db, false)),
  pageOfModel: prepareListQuery(db, 4, livePage(db, true)),
  total: prepareQuery(db, 1, liveTotal(db, false)),
  totalOfModel: prepareQuery(db, 2, liveTotal(db, true)),
}));

/** A conversation that is not deleted, whoever owns it (callers check ownership). */
export async function findLiveConversation(db: Db, id: number): Promise<ConversationRow | undefined> {
  return isStorableId(id) ? queries(db).findLive(id) : undefined;
}

/** Moves the live count of a user's conversations of one model by `delta`. */
async function countLive(db: Db, owner: { user_id: number; model_name: string }, delta: 1 | -1): Promise<void> {
  await db
    .insertInto('conversation_counts')
    .values({ user_id: owner.user_id, model_name: owner.model_name, live_count: delta })
    .onConflict((oc) =>
      oc.columns(['user_id', 'model_name']).doUpdateSet((eb) => ({ live_count: eb('conversation_counts.live_count', '+', delta) })),
    )
    .execute();
}

/** Stores a conversation and keeps the counts and the statistics in step, in one transaction. */
export function insertConversation(db: Db, conversation: NewConversation): Promise<ConversationRow> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.insertInto('conversations').values(conversation).returningAll().executeTakeFirstOrThrow();
    await countLive(trx, row, 1);
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

/** One page of a user's live conversations (of one model when the filter names it), newest-updated first. */
export function listConversations(
  db: Db,
  filter: ConversationFilter,
  page: { limit: number; offset: number },
): Promise<ListedConversation[]> {
  const { userId, modelName } = filter;
  return modelName === undefined
    ? queries(db).page(userId, page.limit, page.offset)
    : queries(db).pageOfModel(userId, page.limit, page.offset, modelName);
}

/** How many live conversations match: read from the kept counts (one row per model), not counted. */
export async function countConversations(db: Db, filter: ConversationFilter): Promise<number> {
  const { userId, modelName } = filter;
  const row = modelName === undefined ? await queries(db).total(userId) : await queries(db).totalOfModel(userId, modelName);
  return Number(row?.total ?? 0);
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
 * the live conversation, so they are gone too. The counts and the statistics hear of it only when
 * this call is the one that deleted it (not for a repeat or a lost race).
 */
export function softDeleteConversation(db: Db, id: number): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const deleted = await trx
      .updateTable('conversations')
      .set({ status: CONVERSATION_DELETED })
      .where('id', '=', id)
      .where('status', '!=', CONVERSATION_DELETED)
      .returning(['user_id', 'model_name'])
      .executeTakeFirst();
    if (!deleted) return false;
    await countLive(trx, deleted, -1);
    await onConversationDeleted(trx, id);
    return true;
  });
}
