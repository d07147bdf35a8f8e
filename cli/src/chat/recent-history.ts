import type { BailianClient, ChatRequest } from '@bailian-chat/client';

/**
 * The last `size` messages of the conversation, oldest first, as chat messages: the model sees
 * what was said before, including the user's message that was just stored.
 */
export async function recentHistory(
  client: BailianClient,
  conversationId: number,
  size: number,
  signal: AbortSignal,
): Promise<ChatRequest['messages']> {
  const { messages } = await client.messages.list(conversationId, { order: 'desc', limit: size }, { signal });
  return messages.reverse().map(({ role, content }) => ({ role, content }));
}
