import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * Timestamps are ISO 8601 UTC strings made by the application (`new Date().toISOString()`): they
 * sort as text in the same order as in time, and SQLite and PostgreSQL store them alike. Booleans
 * are 0/1 integers for the same reason.
 */
export type IsoTimestamp = string;

export interface UsersTable {
  id: Generated<number>;
  username: string;
  /** Lower-cased username: uniqueness ignores case on every dialect. */
  username_key: string;
  email: string;
  password_hash: string;
  nickname: string;
  avatar_url: string | null;
  phone: string | null;
  status: number;
  created_at: IsoTimestamp;
  updated_at: IsoTimestamp;
  last_login_at: IsoTimestamp | null;
}

export interface SessionsTable {
  id: Generated<number>;
  user_id: number;
  /** SHA-256 of the current refresh token; the token itself is never stored. */
  refresh_token_hash: string;
  expires_at: IsoTimestamp;
  revoked_at: IsoTimestamp | null;
  created_at: IsoTimestamp;
  last_used_at: IsoTimestamp;
  client_ip: string | null;
  user_agent: string | null;
}

/** Refresh tokens replaced by rotation; presenting one again revokes its session. */
export interface RetiredRefreshTokensTable {
  token_hash: string;
  session_id: number;
  retired_at: IsoTimestamp;
}

export interface ConversationsTable {
  id: Generated<number>;
  user_id: number;
  title: string;
  model_name: string;
  status: number;
  created_at: IsoTimestamp;
  updated_at: IsoTimestamp;
  /** Live (not deleted) messages; kept by insertMessage and message deletion. */
  message_count: Generated<number>;
  /** The `seq` of the newest message ever stored here; kept by insertMessage. */
  last_message_seq: Generated<number>;
}

/** Live conversations per user and model, kept by the conversations repository. */
export interface ConversationCountsTable {
  user_id: number;
  model_name: string;
  live_count: number;
}

export interface MessagesTable {
  id: Generated<number>;
  conversation_id: number;
  user_id: number;
  role: string;
  content_type: string;
  /** The parts array as JSON text. */
  content: string;
  status: number;
  created_at: IsoTimestamp;
  /** 1-based position in its conversation, deleted messages included; assigned by insertMessage. */
  seq: Generated<number>;
}

export interface ApiCallsTable {
  id: Generated<number>;
  user_id: number;
  conversation_id: number | null;
  message_id: number | null;
  model_name: string;
  api_endpoint: string;
  status_code: number;
  request_tokens: number;
  response_tokens: number;
  total_tokens: number;
  call_duration: number;
  client_ip: string | null;
  upstream_request_id: string | null;
  stream: number;
  error_code: string | null;
  created_at: IsoTimestamp;
}

/** Which STATS_TIMEZONE the statistics rollup is built in (one row, id 1; null: not built yet). */
export interface StatsRollupStateTable {
  id: number;
  timezone: string | null;
  built_at: IsoTimestamp | null;
}

/** The statistics rollup: per user, model and local day (`YYYY-MM-DD`); '' sums all models or days. */
export interface StatsDailyTable {
  user_id: number;
  model_name: string;
  day: string;
  conversation_count: number;
  message_count: number;
  token_count: number;
  call_count: number;
}

/** Messages counted in stats_daily whose day differs from their conversation's day. */
export interface StatsMessageSpansTable {
  user_id: number;
  message_day: string;
  conversation_day: string;
  model_name: string;
  message_count: number;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  retired_refresh_tokens: RetiredRefreshTokensTable;
  conversations: ConversationsTable;
  conversation_counts: ConversationCountsTable;
  messages: MessagesTable;
  api_calls: ApiCallsTable;
  stats_rollup_state: StatsRollupStateTable;
  stats_daily: StatsDailyTable;
  stats_message_spans: StatsMessageSpansTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type SessionRow = Selectable<SessionsTable>;
export type NewSession = Insertable<SessionsTable>;
export type ConversationRow = Selectable<ConversationsTable>;
export type NewConversation = Insertable<ConversationsTable>;
export type ConversationUpdate = Updateable<ConversationsTable>;
export type MessageRow = Selectable<MessagesTable>;
export type NewMessage = Insertable<MessagesTable>;
export type ApiCallRow = Selectable<ApiCallsTable>;
export type NewApiCall = Insertable<ApiCallsTable>;
