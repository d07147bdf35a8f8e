import type { Db } from '../db/database.js';
import type { ConversationRow } from '../db/schema.js';

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
