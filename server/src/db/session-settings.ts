/**
 * How long a connection of ours may sit in an open transaction without running a statement before
 * PostgreSQL ends its session. The app waits on nothing but the database inside a transaction, so
 * a connection idle in one for a minute was left there (a bug, a process frozen mid-transaction):
 * without this it would hold its locks forever, and every request needing them would fail after
 * DATABASE_LOCK_TIMEOUT_MS for as long as it does.
 */
const IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;

/**
 * pg's connection string and `options` startup parameter that give every connection of the pool
 * its lock_timeout and idle_in_transaction_session_timeout (none with DATABASE_LOCK_TIMEOUT_MS=off:
 * some poolers, Neon's and PgBouncer's among them, refuse a connection whose options set these). They go out with the connection's
 * startup message: no round trip for them, neither per query nor per connection.
 *
 * Options already given (a search_path, Neon's endpoint id) are kept, before ours so that ours
 * win over anything they say of the same settings. pg takes DATABASE_URL's `?options=` over the
 * pool's, even an empty one, so it is always moved out of the URL; PGOPTIONS counts only when the
 * URL has none. The query string is read as it is written: a URL with no host (a unix socket's
 * `postgres://user@/db?host=/run/postgresql`) is no WHATWG URL, but pg reads it all the same.
 */
export function sessionSettings(url: string, lockTimeoutMs: number | null): { connectionString: string; options?: string } {
  // Off: pg sends what DATABASE_URL and PGOPTIONS say, as it would without us.
  if (lockTimeoutMs === null) return { connectionString: url };
  const ours = `-c lock_timeout=${lockTimeoutMs} -c idle_in_transaction_session_timeout=${IDLE_IN_TRANSACTION_TIMEOUT_MS}`;
  const queryAt = url.indexOf('?');
  const query = new URLSearchParams(queryAt < 0 ? '' : url.slice(queryAt + 1));
  if (query.has('options')) {
    const given = query.get('options')!;
    query.delete('options');
    const rest = query.toString();
    const connectionString = url.slice(0, queryAt) + (rest ? `?${rest}` : '');
    return { connectionString, options: given ? `${given} ${ours}` : ours };
  }
  const fromEnv = process.env.PGOPTIONS;
  return { connectionString: url, options: fromEnv ? `${fromEnv} ${ours}` : ours };
}
