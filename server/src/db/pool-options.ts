/** How the PostgreSQL connection pool is sized and how long a query waits for one of its connections. */
export interface PoolOptions {
  /** Connections the pool opens at the most (DATABASE_POOL_MAX). */
  max: number;
  /**
   * How long a query waits for a connection, a free one of the pool or a new one being opened,
   * before it fails (DATABASE_CONNECT_TIMEOUT_MS). Without it a query behind a full pool waits
   * for as long as whatever holds the connections does: forever, behind a lock never released.
   */
  connectTimeoutMs: number;
}

/**
 * pg's own pool size, which a PostgreSQL server's 100 default connections leave room for several
 * replicas of. 5 s to get a connection: a free one is handed over at once and a new one opens in
 * milliseconds (a TLS handshake to a distant managed server in well under one second), so a wait
 * of 5 s means the pool is held (a lock, a slow query) or the server does not answer. It is the
 * wait SQLite's busy_timeout allows for its lock, and it ends before SHUTDOWN_GRACE_MS (8 s), so a
 * request waiting when SIGTERM comes is still answered.
 */
export const DEFAULT_POOL: PoolOptions = { max: 10, connectTimeoutMs: 5_000 };
