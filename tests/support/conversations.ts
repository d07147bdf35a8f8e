import type { Conversation, Message } from '@bailian-chat/contract';
import type { Db } from '@bailian-chat/server';
import { request } from './http.js';

/** A model every test app allows (it is on the default ALLOWED_MODELS). */
export const TEST_MODEL = 'qwen-plus';

/** Creates a conversation as `token`'s user and returns it; any non-200 fails the test. */
export async function createConversation(
  base: string,
  token: string,
  body: Record<string, unknown> = { model_name: TEST_MODEL },
): Promise<Conversation> {
  const res = await request(base, 'POST', '/api/conversations', { token, body });
  if (res.status !== 200) throw new Error(`create conversation failed: ${res.text}`);
  return res.body.data;
}

/** Sends a one-part text message and returns it; any non-200 fails the test. */
export async function sendText(base: string, token: string, conversationId: number, text: string): Promise<Message> {
  const res = await request(base, 'POST', `/api/conversations/${conversationId}/messages`, {
    token,
    body: { content: [{ type: 'text', text }] },
  });
  if (res.status !== 200) throw new Error(`send message failed: ${res.text}`);
  return res.body.data;
}

/** How many rows a conversation has in `messages`, deleted ones included: what a write stored. */
export async function countStoredMessages(db: Db, conversationId: number): Promise<number> {
  const row = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('conversation_id', '=', conversationId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
