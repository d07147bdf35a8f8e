import type { Conversation } from '@bailian-chat/contract';
import type { ListedConversation } from './conversations-repository.js';

export function toConversation(row: ListedConversation): Conversation {
  return {
    conversation_id: row.id,
    title: row.title,
    model_name: row.model_name,
    status: row.status,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
