/** True for a unique-constraint violation on SQLite (better-sqlite3) or PostgreSQL (pg). */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

/**
 * PostgreSQL error classes that say nothing against the statement itself: connection exceptions
 * (08), operator intervention (57: a terminated backend, a shutdown, a statement timeout or
 * cancel), insufficient resources (53: too many connections), a serialization failure or
 * deadlock (40001, 40P01), and a lock not granted within lock_timeout (55P03): another try may
 * find the lock released.
 */
const TRANSIENT_SQLSTATE = /^(08|57|53|40001$|40P01$|55P03$)/;
/** Node's socket errors, as pg passes them on when it cannot reach the server or loses it. */
const SOCKET_ERROR = /^E[A-Z]+$/;
/** What pg itself throws, with no code, for a connection that died under a client. */
const LOST_CONNECTION = /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect)/;
/**
 * What pg's pool throws, with no code, when a query got no connection within its
 * connectionTimeoutMillis: every connection stayed held, or a new one did not open in time.
 */
const CONNECT_TIMEOUT = /^(timeout exceeded when trying to connect|Connection terminated due to connection timeout)/;

/** True when the pool gave no connection in time (DATABASE_CONNECT_TIMEOUT_MS): see createPgPool. */
export function isConnectTimeout(err: unknown): boolean {
  return err instanceof Error && CONNECT_TIMEOUT.test(err.message);
}

/**
 * True when a statement waited DATABASE_LOCK_TIMEOUT_MS for a lock another transaction held, and
 * gave up: PostgreSQL's lock_not_available (lock_timeout), SQLite's busy timeout.
 */
export function isLockTimeout(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return isPgLockTimeout(err) || code === 'SQLITE_BUSY';
}

/**
 * True when a PostgreSQL statement waited lock_timeout for a lock and gave up. Unlike SQLite's
 * busy wait, which holds the server's one thread, it waited without holding anything up but its
 * own request: a background write can afford to wait again.
 */
export function isPgLockTimeout(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '55P03';
}

/**
 * True for a failure that the same write may not meet again: the database connection was lost or
 * refused, the server interrupted the statement, or a lock was not granted in time (SQLite: the
 * database was busy). A constraint violation, bad data or bad SQL fails every time and is not
 * transient.
 */
export function isTransientFailure(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return TRANSIENT_SQLSTATE.test(code) || SOCKET_ERROR.test(code) || code === 'SQLITE_BUSY';
  return err instanceof Error && LOST_CONNECTION.test(err.message);
}
