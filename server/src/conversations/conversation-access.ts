import { Messages } from '@bailian-chat/contract';
import type { Db } from '../db/database.js';
import type { ConversationRow } from '../db/schema.js';
import { ForbiddenError, NotFoundError } from '../http/errors.js';
import { findLiveConversation } from './conversations-repository.js';

/**
 * The caller's live conversation, or the error the spec names: 404 when it is missing or deleted,
 * 403 (with the route's own message) when it belongs to someone else.
 */
export async function requireOwnConversation(
  db: Db,
  userId: number,
  conversationId: number,
  forbiddenMessage: string = Messages.conversationForbidden,
): Promise<ConversationRow> {
  const conversation = await findLiveConversation(db, conversationId);
  if (!conversation) throw new NotFoundError(Messages.conversationNotFound);
  if (conversation.user_id !== userId) throw new ForbiddenError(forbiddenMessage);
  return conversation;
}
