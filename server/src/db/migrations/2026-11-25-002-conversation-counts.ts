import { type Kysely, sql } from 'kysely';

/**
 * Live conversations per user and model, kept on write by the conversations repository, so the
 * `total` of a conversation list is a lookup of a few rows rather than a count over every
 * conversation the user has (10k of them cost more than the rest of the request).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('conversation_counts')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('model_name', 'varchar(100)', (c) => c.notNull())
    .addColumn('live_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('conversation_counts_pk', ['user_id', 'model_name'])
    .execute();
  await sql`
    INSERT INTO conversation_counts (user_id, model_name, live_count)
    SELECT user_id, model_name, count(*) FROM conversations WHERE status = 1 GROUP BY user_id, model_name
  `.execute(db);
}
