import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import { retryTransient } from '../db/retry.js';
import { insertMessage, MESSAGE_NORMAL } from '../messages/messages-repository.js';
import { textParts } from './completion-presenter.js';

/** Message status of a streamed reply that was cut off. */
export const MESSAGE_INCOMPLETE = 2;

/**
 * Stores the model's reply in the caller's conversation (spec §4.1 with `conversation_id`). An
 * empty reply (cut off before any text) is not stored: there is nothing to show; nor is a reply
 * whose conversation was deleted while upstream answered (insertMessage stores nothing there).
 *
 * A transient database failure (a PostgreSQL connection terminated or lost) is tried again: the
 * reply exists nowhere else, upstream has been paid for it, and a stream's client has its frames
 * and would find nothing on reloading the conversation.
 */
export async function storeAssistantReply(
  deps: { db: Db; logger: Logger },
  conversationId: number,
  text: string,
  complete: boolean,
): Promise<void> {
  if (!text) return;
  await retryTransient(
    () =>
      insertMessage(deps.db, {
        conversation_id: conversationId,
        user_id: 0,
        role: 'assistant',
        content_type: 'text',
        content: JSON.stringify(textParts(text)),
        status: complete ? MESSAGE_NORMAL : MESSAGE_INCOMPLETE,
      }),
    (err, attempt) => deps.logger.warn({ err, conversationId, attempt }, 'assistant reply not stored yet: trying again'),
  );
}
