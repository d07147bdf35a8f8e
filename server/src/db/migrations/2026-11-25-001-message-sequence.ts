import { type Kysely, sql } from 'kysely';

/**
 * Message history must answer any page of a conversation in constant time, however long it is.
 * OFFSET walks every skipped row, so instead each message gets `seq`, its 1-based position among all
 * messages ever stored in its conversation, and each conversation keeps `last_message_seq` and
 * `message_count` (its live messages). A page then starts with an index seek on
 * (conversation_id, seq), corrected for the few deleted messages before it, and the pagination
 * total is read from the conversation row instead of counted.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('conversations')
    .addColumn('message_count', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('conversations')
    .addColumn('last_message_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('messages').addColumn('seq', 'integer', (c) => c.notNull().defaultTo(0)).execute();

  // Backfill whatever history already exists (ids are chronological within a conversation).
  await sql`
    UPDATE messages SET seq = (
      SELECT count(*) FROM messages AS earlier
      WHERE earlier.conversation_id = messages.conversation_id AND earlier.id <= messages.id
    )`.execute(db);
  await sql`
    UPDATE conversations SET
      last_message_seq = (SELECT count(*) FROM messages WHERE messages.conversation_id = conversations.id),
      message_count = (
        SELECT count(*) FROM messages WHERE messages.conversation_id = conversations.id AND messages.status <> 0
      )`.execute(db);

  // Pages and "latest message" walk this in seq order, skipping the rare deleted row. Not unique:
  // rows written outside insertMessage (fixtures, imports) keep the default 0.
  await db.schema.createIndex('messages_conversation_seq').on('messages').columns(['conversation_id', 'seq']).execute();
  // The deleted messages of a conversation, to turn a rank into a seq: partial, so it stays as small
  // as the number of deletions and costs live inserts nothing.
  await db.schema
    .createIndex('messages_deleted_conversation_seq')
    .on('messages')
    .columns(['conversation_id', 'seq'])
    .where(sql.ref('status'), '=', sql.lit(0))
    .execute();
  // Superseded by the two above: with `status != 0` it could not give id order without a sort.
  await db.schema.dropIndex('messages_conversation_status_id').execute();
}
