import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/**
 * Called by the write paths of conversations, messages and API calls, inside the same transaction
 * as the write, so that statistics can be kept by a rollup maintained on write (spec §5.2 at
 * scale). Each takes the executor of that transaction (or the database outside one).
 *
 * The history section owns what these do; until it keeps a rollup they have nothing to maintain.
 */
type Executor = Kysely<Database>;

export interface ConversationFacts {
  id: number;
  user_id: number;
  model_name: string;
  created_at: string;
}

export interface MessageFacts {
  id: number;
  conversation_id: number;
  created_at: string;
}

export interface ApiCallFacts {
  id: number;
  user_id: number;
  model_name: string;
  total_tokens: number;
  created_at: string;
}

export async function onConversationCreated(_db: Executor, _conversation: ConversationFacts): Promise<void> {}
export async function onConversationDeleted(_db: Executor, _conversationId: number): Promise<void> {}
export async function onMessageCreated(_db: Executor, _message: MessageFacts): Promise<void> {}
export async function onMessageDeleted(_db: Executor, _messageId: number): Promise<void> {}
export async function onApiCallRecorded(_db: Executor, _call: ApiCallFacts): Promise<void> {}
