import type { Kysely } from 'kysely';
import { idColumn, idColumnType } from '../dialect.js';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', idColumnType(db), idColumn(db))
    .addColumn('username', 'varchar(32)', (c) => c.notNull())
    .addColumn('username_key', 'varchar(32)', (c) => c.notNull().unique())
    .addColumn('email', 'varchar(254)', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('nickname', 'varchar(50)', (c) => c.notNull())
    .addColumn('avatar_url', 'text')
    .addColumn('phone', 'varchar(20)')
    .addColumn('status', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'varchar(30)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(30)', (c) => c.notNull())
    .addColumn('last_login_at', 'varchar(30)')
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', idColumnType(db), idColumn(db))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('refresh_token_hash', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('expires_at', 'varchar(30)', (c) => c.notNull())
    .addColumn('revoked_at', 'varchar(30)')
    .addColumn('created_at', 'varchar(30)', (c) => c.notNull())
    .addColumn('last_used_at', 'varchar(30)', (c) => c.notNull())
    .addColumn('client_ip', 'varchar(64)')
    .addColumn('user_agent', 'varchar(512)')
    .execute();
  await db.schema.createIndex('sessions_user_id').on('sessions').column('user_id').execute();

  await db.schema
    .createTable('retired_refresh_tokens')
    .addColumn('token_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('session_id', 'integer', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
    .addColumn('retired_at', 'varchar(30)', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('retired_refresh_tokens_session_id')
    .on('retired_refresh_tokens')
    .column('session_id')
    .execute();

  await db.schema
    .createTable('conversations')
    .addColumn('id', idColumnType(db), idColumn(db))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('title', 'varchar(200)', (c) => c.notNull())
    .addColumn('model_name', 'varchar(100)', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'varchar(30)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(30)', (c) => c.notNull())
    .execute();
  // Lists: a user's live conversations, newest-updated first, optionally of one model.
  await db.schema
    .createIndex('conversations_user_status_updated')
    .on('conversations')
    .columns(['user_id', 'status', 'updated_at', 'id'])
    .execute();
  await db.schema
    .createIndex('conversations_user_model_status_updated')
    .on('conversations')
    .columns(['user_id', 'model_name', 'status', 'updated_at', 'id'])
    .execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', idColumnType(db), idColumn(db))
    .addColumn('conversation_id', 'integer', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull())
    .addColumn('role', 'varchar(16)', (c) => c.notNull())
    .addColumn('content_type', 'varchar(16)', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'varchar(30)', (c) => c.notNull())
    .execute();
  // History: a conversation's live messages in id (= chronological) order.
  await db.schema
    .createIndex('messages_conversation_status_id')
    .on('messages')
    .columns(['conversation_id', 'status', 'id'])
    .execute();

  await db.schema
    .createTable('api_calls')
    .addColumn('id', idColumnType(db), idColumn(db))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('conversation_id', 'integer')
    .addColumn('message_id', 'integer')
    .addColumn('model_name', 'varchar(100)', (c) => c.notNull())
    .addColumn('api_endpoint', 'varchar(200)', (c) => c.notNull())
    .addColumn('status_code', 'integer', (c) => c.notNull())
    .addColumn('request_tokens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('response_tokens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('total_tokens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('call_duration', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('client_ip', 'varchar(64)')
    .addColumn('upstream_request_id', 'varchar(128)')
    .addColumn('stream', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error_code', 'varchar(64)')
    .addColumn('created_at', 'varchar(30)', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('api_calls_user_created')
    .on('api_calls')
    .columns(['user_id', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('api_calls_user_model_created')
    .on('api_calls')
    .columns(['user_id', 'model_name', 'created_at', 'id'])
    .execute();
}
