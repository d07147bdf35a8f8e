import type { ContentPart, ContentType, Message } from '@bailian-chat/contract';
import type { MessageRow } from '../db/schema.js';
import { storedJson } from '../http/stored-json.js';

export function toMessage(row: MessageRow): Message {
  return {
    message_id: row.id,
    conversation_id: row.conversation_id,
    user_id: row.user_id,
    role: row.role as Message['role'],
    content_type: row.content_type as ContentType,
    content: storedJson<ContentPart[]>(row.content),
    status: row.status,
    created_at: row.created_at,
  };
}
