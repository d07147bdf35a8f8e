import { type ContentPart, contentTypeOf, type ListMessagesQuerySchema, Messages } from '@bailian-chat/contract';
import type { z } from 'zod';
import { requireOwnConversation } from '../conversations/conversation-access.js';
import type { ConversationRow } from '../db/schema.js';
import type { ServiceDeps } from '../deps.js';
import { ForbiddenError, NotFoundError } from '../http/errors.js';
import { offsetOf, paginationOf } from '../http/pagination.js';
import { toListedMessage, toMessage } from './message-presenter.js';
import { rankWindow, seqOfLiveRank } from './message-window.js';
import * as messages from './messages-repository.js';

export async function sendMessage(deps: ServiceDeps, userId: number, conversationId: number, content: ContentPart[]) {
  await requireOwnConversation(deps.db, userId, conversationId, Messages.messageSendForbidden);
  const row = await messages.insertMessage(deps.db, {
    conversation_id: conversationId,
    user_id: userId,
    role: 'user',
    content_type: contentTypeOf(content),
    content: JSON.stringify(content),
    status: messages.MESSAGE_NORMAL,
  });
  // Deleted by a concurrent request between the check and the insert.
  if (!row) throw new NotFoundError(Messages.conversationNotFound);
  return toMessage(row);
}

/** The live messages with ranks firstRank.. of a conversation, found by seeking rather than skipping. */
async function liveMessagesFromRank(
  deps: ServiceDeps,
  conversation: ConversationRow,
  firstRank: number,
  count: number,
): Promise<messages.ListedMessageRow[]> {
  // Only deleted messages make rank and seq differ; a conversation usually has few or none. The
  // first live message is the first one found from seq 1 on, wherever the deleted ones are.
  const deletedCount = conversation.last_message_seq - conversation.message_count;
  const deleted =
    deletedCount > 0 && firstRank > 1 ? await messages.deletedSeqsUpTo(deps.db, conversation.id, firstRank + deletedCount) : [];
  return messages.listLiveMessagesFrom(deps.db, conversation.id, seqOfLiveRank(firstRank, deleted), count);
}

export async function listMessages(
  deps: ServiceDeps,
  userId: number,
  conversationId: number,
  query: z.infer<typeof ListMessagesQuerySchema>,
) {
  const conversation = await requireOwnConversation(deps.db, userId, conversationId, Messages.messagesReadForbidden);
  const total = conversation.message_count;
  const window = rankWindow(total, offsetOf(query.page, query.limit), query.limit, query.order);
  const rows = window ? await liveMessagesFromRank(deps, conversation, window.firstRank, window.count) : [];
  if (query.order === 'desc') rows.reverse();
  const readContent = (id: number) => messages.readContent(deps.db, id);
  return { messages: rows.map((row) => toListedMessage(row, readContent)), pagination: paginationOf(query.page, query.limit, total) };
}

/** Deletes a message of one of the caller's live conversations (assistant replies included). */
export async function deleteMessage(deps: ServiceDeps, userId: number, messageId: number) {
  const message = await messages.findLiveMessage(deps.db, messageId);
  if (!message) throw new NotFoundError(Messages.messageNotFound);
  if (message.owner_id !== userId) throw new ForbiddenError(Messages.messageDeleteForbidden);
  if (!(await messages.softDeleteMessage(deps.db, message))) throw new NotFoundError(Messages.messageNotFound);
}
