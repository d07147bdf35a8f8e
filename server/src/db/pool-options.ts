/**
 * How the database's connections behave: how many the PostgreSQL pool opens, how long a query
 * waits for one of them, and how long a statement waits for a lock (which SQLite, with its one
 * connection, takes alone).
 */
export interface PoolOptions {
  /** Connections the pool opens at the most (DATABASE_POOL_MAX). */
  max: number;
  /**
   * How long a query waits for a connection, a free one of the pool or a new one being opened,
   * before it fails (DATABASE_CONNECT_TIMEOUT_MS). Without it a query behind a full pool waits
   * for as long as whatever holds the connections does: forever, behind a lock never released.
   */
  connectTimeoutMs: number;
  /**
   * How long a statement waits for a row or table lock another transaction holds before it fails
   * (DATABASE_LOCK_TIMEOUT_MS): PostgreSQL's lock_timeout on every connection of the pool, SQLite's
   * busy timeout. Without it a statement behind a lock on PostgreSQL waits for as long as the
   * holder takes, and holds its own connection meanwhile. null (`off`): no bound, and nothing
   * sent to PostgreSQL at connection start-up, for a pooler that refuses startup parameters.
   */
  lockTimeoutMs: number | null;
}

/**
 * pg's own pool size, which a PostgreSQL server's 100 default connections leave room for several
 * replicas of. 5 s to get a connection: a free one is handed over at once and a new one opens in
 * milliseconds (a TLS handshake to a distant managed server in well under one second), so a wait
 * of 5 s means the pool is held (a lock, a slow query) or the server does not answer. 5 s for a
 * lock too, better-sqlite3's default busy timeout: the app's transactions take milliseconds, so a
 * lock held that long is held by something stuck. Each wait ends before SHUTDOWN_GRACE_MS (8 s),
 * so a request waiting for one when SIGTERM comes is still answered.
 */
export const DEFAULT_POOL: PoolOptions = { max: 10, connectTimeoutMs: 5_000, lockTimeoutMs: 5_000 };
