import { sql } from 'kysely';
import { nowIso } from '../db/clock.js';
import type { Db } from '../db/database.js';
import { isStorableId } from '../db/dialect.js';
import { perDatabase, prepareListQuery, prepareQuery } from '../db/prepared-query.js';
import type { MessageRow, NewMessage } from '../db/schema.js';
import { CONVERSATION_DELETED } from '../conversations/conversations-repository.js';
import { onMessageCreated, onMessageDeleted } from '../history/stats-hooks.js';

/** Message status: 1 normal, 2 incomplete (a streamed reply cut off), 0 deleted. */
export const MESSAGE_NORMAL = 1;
export const MESSAGE_DELETED = 0;

/** A message to store: `created_at` is stamped by insertMessage unless given (fixtures back-date theirs). */
export type MessageToStore = Omit<NewMessage, 'created_at' | 'seq'> & { created_at?: string };

/**
 * Stores a message, moves its conversation's `updated_at`, and keeps the statistics in step, all in
 * one transaction. Used for user messages (spec §3.1) and stored assistant replies (§4.1).
 * Undefined, and nothing stored, when the conversation is deleted (or gone): a caller checks
 * ownership first, but a delete may come between that check and this write (or, for a reply,
 * while upstream answers), and a row stored then would land where nothing can read it again.
 *
 * The conversation row is updated first: it hands out the message's `seq` and, on PostgreSQL, its
 * row lock orders concurrent inserts into one conversation, so `seq` follows `id`, and orders the
 * insert with the conversation's deletion: whichever comes second sees the other.
 *
 * The message is stamped only then, holding that lock, so `created_at` follows `seq` too and the
 * conversation's `updated_at` never moves back. Stamped before the wait for a pooled connection
 * and the lock, a send that waited longer than a later one was stored after it with the earlier
 * time (seen under load on PostgreSQL: 12% of neighbouring messages out of order by up to 0.8 s,
 * and conversations whose `updated_at` was older than their newest message).
 */
export async function insertMessage(db: Db, message: MessageToStore): Promise<MessageRow | undefined> {
  return db.transaction().execute(async (trx) => {
    const conversation = await trx
      .updateTable('conversations')
      .set((eb) => ({
        message_count: eb('message_count', '+', 1),
        last_message_seq: eb('last_message_seq', '+', 1),
      }))
      .where('id', '=', message.conversation_id)
      .where('status', '!=', CONVERSATION_DELETED)
      .returning('last_message_seq')
      .executeTakeFirst();
    if (!conversation) return undefined;
    const createdAt = message.created_at ?? nowIso();
    // Every column but the content, which the caller has: a 4 MB image read back was a second
    // copy of it (and, on PostgreSQL, 4 MB more over the wire).
    const stored = await trx
      .insertInto('messages')
      .values({ ...message, created_at: createdAt, seq: conversation.last_message_seq })
      .returning(['id', 'conversation_id', 'user_id', 'role', 'content_type', 'status', 'created_at', 'seq'])
      .executeTakeFirstOrThrow();
    const row: MessageRow = { ...stored, content: message.content };
    await trx.updateTable('conversations').set({ updated_at: createdAt }).where('id', '=', message.conversation_id).execute();
    await onMessageCreated(trx, { id: row.id, conversation_id: row.conversation_id, created_at: row.created_at });
    return row;
  });
}

/** The id of the newest live user message of a conversation, for linking an API call to it. */
export async function latestUserMessageId(db: Db, conversationId: number): Promise<number | null> {
  // Walks (conversation_id, seq) backwards from the newest message: a few rows, however long the history.
  const row = await db
    .selectFrom('messages')
    .select('id')
    .where('conversation_id', '=', conversationId)
    .where('status', '!=', MESSAGE_DELETED)
    .where('role', '=', 'user')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.id ?? null;
}

/**
 * The largest content (bytes of JSON text) that a page of history reads with its rows; larger ones
 * (data: URLs of up to 10 MB each) are read one at a time as the answer is written. A page of 100
 * such messages would otherwise be gigabytes at once, past what one string can hold.
 */
export const INLINE_CONTENT_MAX_BYTES = 256 * 1024;

/** A message of a page of history: `content` is null when it is over `INLINE_CONTENT_MAX_BYTES` and left unread. */
export type ListedMessageRow = Omit<MessageRow, 'content'> & { content: string | null };

// The reads of a history page, compiled once per database.
const queries = perDatabase((db: Db) => ({
  liveFrom: prepareListQuery(db, 3, (conversationId: number, fromSeq: number, limit: number) =>
    db
      .selectFrom('messages')
      .select(['id', 'conversation_id', 'user_id', 'role', 'content_type', 'status', 'created_at', 'seq'])
      // octet_length reads the stored size, not the text (SQLite >= 3.43, and PostgreSQL without detoasting).
      .select(
        sql<string | null>`case when octet_length(content) <= ${sql.lit(INLINE_CONTENT_MAX_BYTES)} then content end`.as('content'),
      )
      .where('conversation_id', '=', conversationId)
      .where('seq', '>=', fromSeq)
      .where('status', '!=', MESSAGE_DELETED)
      .orderBy('seq')
      .limit(limit),
  ),
  // The status is a literal, not a bound value, so SQLite can use the partial index of deleted rows.
  deletedSeqs: prepareListQuery(db, 2, (conversationId: number, maxSeq: number) =>
    db
      .selectFrom('messages')
      .select('seq')
      .where('conversation_id', '=', conversationId)
      .where('status', '=', sql.lit(MESSAGE_DELETED))
      .where('seq', '<=', maxSeq)
      .orderBy('seq'),
  ),
  content: prepareQuery(db, 1, (id: number) => db.selectFrom('messages').select('content').where('id', '=', id)),
}));

/** Up to `limit` live messages of a conversation from position `fromSeq` on, oldest first; large contents left unread. */
export function listLiveMessagesFrom(db: Db, conversationId: number, fromSeq: number, limit: number): Promise<ListedMessageRow[]> {
  return queries(db).liveFrom(conversationId, fromSeq, limit);
}

/** The content (JSON text) of a message that a page of history left unread. */
export async function readContent(db: Db, id: number): Promise<string> {
  const row = await queries(db).content(id);
  // Messages are only ever soft-deleted: a row a page has listed is there to be read.
  if (!row) throw new Error(`message ${id} has no row to read its content from`);
  return row.content;
}

/** Positions of a conversation's deleted messages up to `maxSeq`, ascending. */
export async function deletedSeqsUpTo(db: Db, conversationId: number, maxSeq: number): Promise<number[]> {
  const rows = await queries(db).deletedSeqs(conversationId, maxSeq);
  return rows.map((r) => r.seq);
}

export interface LiveMessageRef {
  id: number;
  conversation_id: number;
  /** The owner of the message's conversation, who alone may delete it. */
  owner_id: number;
}

/** A live message of a live conversation, with who owns that conversation. */
export async function findLiveMessage(db: Db, id: number): Promise<LiveMessageRef | undefined> {
  if (!isStorableId(id)) return undefined;
  return db
    .selectFrom('messages')
    .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
    .select(['messages.id', 'messages.conversation_id', 'conversations.user_id as owner_id'])
    .where('messages.id', '=', id)
    .where('messages.status', '!=', MESSAGE_DELETED)
    .where('conversations.status', '!=', CONVERSATION_DELETED)
    .executeTakeFirst();
}

/**
 * Marks a message deleted and keeps its conversation's live count and the statistics in step, in
 * one transaction, only when this call is the one that deleted it.
 */
export function softDeleteMessage(db: Db, message: LiveMessageRef): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    // Write the conversation row before the message row, as insertMessage does and as the rollup
    // rebuild locks the tables (conversations, then messages): on PostgreSQL the opposite order
    // deadlocks with a rebuild that has locked conversations and waits for messages.
    await trx
      .updateTable('conversations')
      .set((eb) => ({ message_count: eb.ref('message_count') }))
      .where('id', '=', message.conversation_id)
      .execute();
    const result = await trx
      .updateTable('messages')
      .set({ status: MESSAGE_DELETED })
      .where('id', '=', message.id)
      .where('status', '!=', MESSAGE_DELETED)
      .executeTakeFirst();
    const deleted = Number(result.numUpdatedRows) === 1;
    if (deleted) {
      await trx
        .updateTable('conversations')
        .set((eb) => ({ message_count: eb('message_count', '-', 1) }))
        .where('id', '=', message.conversation_id)
        .execute();
      await onMessageDeleted(trx, message.id);
    }
    return deleted;
  });
}
