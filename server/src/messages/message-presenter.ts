import type { ContentPart, ContentType, Message } from '@bailian-chat/contract';
import type { MessageRow } from '../db/schema.js';
import { storedJson, storedJsonRead } from '../http/stored-json.js';
import type { ListedMessageRow } from './messages-repository.js';

export function toMessage(row: MessageRow): Message {
  return present(row, storedJson<ContentPart[]>(row.content));
}

/** A message of a page of history; a content the page left unread is read by `readContent` as the answer is written. */
export function toListedMessage(row: ListedMessageRow, readContent: (id: number) => Promise<string>): Message {
  const content = row.content ?? (() => readContent(row.id));
  return present(row, typeof content === 'string' ? storedJson(content) : storedJsonRead(content));
}

function present(row: Omit<MessageRow, 'content'>, content: ContentPart[]): Message {
  return {
    message_id: row.id,
    conversation_id: row.conversation_id,
    user_id: row.user_id,
    role: row.role as Message['role'],
    content_type: row.content_type as ContentType,
    content,
    status: row.status,
    created_at: row.created_at,
  };
}
