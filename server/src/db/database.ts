import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import { objectRows, type RowStatement } from './object-rows.js';
import { DEFAULT_POOL, type PoolOptions } from './pool-options.js';
import { registerSqliteReader } from './prepared-query.js';
import { sessionSettings } from './session-settings.js';
import { loadSqlite } from './sqlite-driver.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely's SQLite driver prepares every query afresh; preparing costs more than running a small
 * indexed lookup. Statements are reusable, so keep the most recent ones by their SQL text, those
 * that return rows as `objectRows` (see there why).
 */
function cacheStatements(sqlite: SQLite.Database): SQLite.Database {
  const cache = new Map<string, SQLite.Statement | RowStatement>();
  const prepare = sqlite.prepare.bind(sqlite);
  sqlite.prepare = ((source: string) => {
    let statement = cache.get(source);
    if (statement) return statement;
    const prepared = prepare(source);
    statement = prepared.reader ? objectRows(prepared) : prepared;
    if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(source, statement);
    return statement;
  }) as typeof sqlite.prepare;
  return sqlite;
}

/** The longest busy timeout better-sqlite3 takes (a C int of ms, 24 days): no bound to speak of. */
const NO_BOUND_MS = 2_147_483_647;

/**
 * `lockTimeoutMs` is how long a statement waits for the file's lock that another process holds (a
 * migration, a backup, the sqlite3 shell) before it fails with SQLITE_BUSY. SQLite waits in the
 * calling thread: the whole server waits with it.
 */
function openSqlite(path: string, lockTimeoutMs: number | null): Db {
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  const Sqlite = loadSqlite();
  const sqlite = new Sqlite(path, { timeout: lockTimeoutMs ?? NO_BOUND_MS });
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('synchronous = NORMAL');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cacheStatements(sqlite) }) });
  registerSqliteReader(db, (source) => sqlite.prepare(source) as unknown as RowStatement);
  return db;
}

/**
 * The PostgreSQL connection pool. A connection can die under it (a server restart, a failover,
 * pg_terminate_backend, idle_session_timeout), and pg then emits 'error': an 'error' event nobody
 * listens to ends the process.
 *
 * - An idle connection's 'error' comes on the pool, which has already dropped it and opens another
 *   for the next query: the loss is only logged.
 * - A connection checked out of the pool (a transaction between two of its queries, a query about
 *   to be sent) emits 'error' on its own client, which the pool does not listen to while the
 *   client is out. Its next query fails with the error (the request answers 500 and logs it) and
 *   the pool drops it when it comes back, so the listener only keeps the process alive.
 *
 * A query that gets no connection within `connectTimeoutMs` (all `max` are held, or a new one
 * does not open) fails with pg's 'timeout exceeded when trying to connect' or 'Connection
 * terminated due to connection timeout' (see isConnectTimeout) instead of waiting in the pool's
 * queue for as long as the holders take. A statement that waits `lockTimeoutMs` for a lock fails
 * with SQLSTATE 55P03 (see isLockTimeout and sessionSettings).
 */
export function createPgPool(url: string, logger?: Pick<Logger, 'warn'>, options: PoolOptions = DEFAULT_POOL): pg.Pool {
  const pool = new pg.Pool({
    ...sessionSettings(url, options.lockTimeoutMs),
    max: options.max,
    connectionTimeoutMillis: options.connectTimeoutMs,
  });
  pool.on('error', (err) => logger?.warn({ err }, 'idle database connection lost'));
  pool.on('connect', (client) => client.on('error', ignoreLostConnection));
  return pool;
}

/** See createPgPool: whoever was using the connection hears of its loss from the query that fails. */
function ignoreLostConnection(): void {}

function openPostgres(url: string, logger: Pick<Logger, 'warn'> | undefined, pool: PoolOptions): Db {
  // COUNT(*) and SUM() come back as int8; every count we read fits a JS number.
  pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
  pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: createPgPool(url, logger, pool) }) });
}

/**
 * Opens the database named by DATABASE_URL (`sqlite:<path>`, `sqlite::memory:`, `postgres://…`);
 * `logger` hears of PostgreSQL connections lost while idle. `pool` sizes the PostgreSQL pool; SQLite
 * has its one connection whatever it says, and takes only its lock timeout.
 */
export function openDatabase(url: string, logger?: Pick<Logger, 'warn'>, pool: PoolOptions = DEFAULT_POOL): Db {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length), pool.lockTimeoutMs);
  return openPostgres(url, logger, pool);
}
