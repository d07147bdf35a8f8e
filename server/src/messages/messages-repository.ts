import type { Db } from '../db/database.js';
import type { MessageRow, NewMessage } from '../db/schema.js';
import { onMessageCreated } from '../history/stats-hooks.js';

/**
 * Stores a message, moves its conversation's `updated_at`, and keeps the statistics in step, all in
 * one transaction. Used for user messages (spec §3.1) and stored assistant replies (§4.1).
 */
export async function insertMessage(db: Db, message: NewMessage): Promise<MessageRow> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.insertInto('messages').values(message).returningAll().executeTakeFirstOrThrow();
    await trx
      .updateTable('conversations')
      .set({ updated_at: message.created_at })
      .where('id', '=', message.conversation_id)
      .execute();
    await onMessageCreated(trx, { id: row.id, conversation_id: row.conversation_id, created_at: row.created_at });
    return row;
  });
}

/** The id of the newest live user message of a conversation, for linking an API call to it. */
export async function latestUserMessageId(db: Db, conversationId: number): Promise<number | null> {
  const row = await db
    .selectFrom('messages')
    .select('id')
    .where('conversation_id', '=', conversationId)
    .where('status', '!=', 0)
    .where('role', '=', 'user')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.id ?? null;
}
