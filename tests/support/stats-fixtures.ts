import type { Db } from '@bailian-chat/server';
import { insertConversation, softDeleteConversation } from '../../server/src/conversations/conversations-repository.js';
import { insertApiCall } from '../../server/src/history/api-calls-repository.js';
import { findLiveMessage, insertMessage, softDeleteMessage } from '../../server/src/messages/messages-repository.js';

/**
 * History fixtures at chosen times, written through the app's own write paths (the repositories
 * the endpoints use), so the statistics hooks run exactly as in production.
 */

export async function addConversation(db: Db, userId: number, modelName: string, createdAt: string): Promise<number> {
  const row = await insertConversation(db, {
    user_id: userId,
    title: '新对话',
    model_name: modelName,
    status: 1,
    created_at: createdAt,
    updated_at: createdAt,
  });
  return row.id;
}

/** Stores a message as the app does; undefined (nothing stored) when the conversation is deleted. */
export async function addMessageIfLive(db: Db, conversationId: number, createdAt: string, role = 'user'): Promise<number | undefined> {
  const row = await insertMessage(db, {
    conversation_id: conversationId,
    user_id: 0,
    role,
    content_type: 'text',
    content: JSON.stringify([{ type: 'text', text: 'hello' }]),
    status: 1,
    created_at: createdAt,
  });
  return row?.id;
}

export async function addMessage(db: Db, conversationId: number, createdAt: string, role = 'user'): Promise<number> {
  const id = await addMessageIfLive(db, conversationId, createdAt, role);
  if (id === undefined) throw new Error(`conversation ${conversationId} is deleted: no message stored`);
  return id;
}

export async function deleteConversation(db: Db, id: number): Promise<void> {
  await softDeleteConversation(db, id);
}

/** Deletes a message as DELETE /api/messages/:id does: only a live one of a live conversation. */
export async function deleteMessage(db: Db, id: number): Promise<void> {
  const message = await findLiveMessage(db, id);
  if (message) await softDeleteMessage(db, message);
}

export function addApiCall(db: Db, userId: number, modelName: string, totalTokens: number, createdAt: string, conversationId: number | null = null) {
  return insertApiCall(db, {
    user_id: userId,
    conversation_id: conversationId,
    message_id: null,
    model_name: modelName,
    api_endpoint: '/api/bailian/chat/completions',
    status_code: 200,
    request_tokens: Math.floor(totalTokens / 2),
    response_tokens: totalTokens - Math.floor(totalTokens / 2),
    total_tokens: totalTokens,
    call_duration: 1200,
    client_ip: '127.0.0.1',
    upstream_request_id: null,
    stream: 0,
    error_code: null,
    created_at: createdAt,
  });
}
