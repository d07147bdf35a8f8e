import { isPostgres } from '../db/dialect.js';
import { localCalendar } from './local-calendar.js';
import { DELETED_STATUS, RollupTally } from './rollup-tally.js';
import { addTally, type Executor, rollupTimezone } from './stats-rollup-repository.js';

/**
 * Called by the write paths of conversations, messages and API calls, inside the same transaction
 * as the write, to keep the statistics rollup (spec §5.2 at scale) exact. Each takes the executor
 * of that transaction.
 *
 * While the rollup has never been built they do nothing: the first build counts every raw row.
 * Deletions are told after the row's status became 0, and only when this write deleted it.
 */

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

/** A tally in the rollup's zone, or undefined while the rollup has not been built. */
async function newTally(db: Executor): Promise<RollupTally | undefined> {
  const timeZone = await rollupTimezone(db);
  return timeZone === null ? undefined : new RollupTally(localCalendar(timeZone));
}

/**
 * A message with its conversation. On PostgreSQL the conversation row is locked, so a message
 * write and its conversation's deletion are ordered: whichever commits second sees the other, and a
 * message is subtracted exactly once (by the deletion of its conversation or by its own).
 */
function messageWithConversation(db: Executor, messageId: number) {
  return db
    .selectFrom('messages')
    .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
    .select([
      'messages.created_at as message_created_at',
      'messages.status as message_status',
      'conversations.user_id',
      'conversations.model_name',
      'conversations.created_at',
      'conversations.status',
    ])
    .where('messages.id', '=', messageId)
    .$if(isPostgres(db), (q) => q.forUpdate())
    .executeTakeFirst();
}

export async function onConversationCreated(db: Executor, conversation: ConversationFacts): Promise<void> {
  const tally = await newTally(db);
  if (!tally) return;
  tally.conversation(conversation, 1);
  await addTally(db, tally);
}

/** Takes back the conversation and every live message in it. */
export async function onConversationDeleted(db: Executor, conversationId: number): Promise<void> {
  const tally = await newTally(db);
  if (!tally) return;
  const conversation = await db
    .selectFrom('conversations')
    .select(['user_id', 'model_name', 'created_at'])
    .where('id', '=', conversationId)
    .executeTakeFirst();
  if (!conversation) return;
  tally.conversation(conversation, -1);
  const messages = await db
    .selectFrom('messages')
    .select('created_at')
    .where('conversation_id', '=', conversationId)
    .where('status', '!=', DELETED_STATUS)
    .execute();
  for (const message of messages) tally.message(conversation, message.created_at, -1);
  await addTally(db, tally);
}

export async function onMessageCreated(db: Executor, message: MessageFacts): Promise<void> {
  const tally = await newTally(db);
  if (!tally) return;
  const row = await messageWithConversation(db, message.id);
  if (!row || row.message_status === DELETED_STATUS || row.status === DELETED_STATUS) return;
  tally.message(row, row.message_created_at, 1);
  await addTally(db, tally);
}

/** A message of a deleted conversation was already taken back with its conversation. */
export async function onMessageDeleted(db: Executor, messageId: number): Promise<void> {
  const tally = await newTally(db);
  if (!tally) return;
  const row = await messageWithConversation(db, messageId);
  if (!row || row.status === DELETED_STATUS) return;
  tally.message(row, row.message_created_at, -1);
  await addTally(db, tally);
}

export async function onApiCallsRecorded(db: Executor, calls: ApiCallFacts[]): Promise<void> {
  const tally = await newTally(db);
  if (!tally) return;
  for (const call of calls) tally.apiCall(call);
  await addTally(db, tally);
}
