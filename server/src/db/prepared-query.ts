import { type Compilable, CompiledQuery, type Kysely } from 'kysely';
import type { RowStatement } from './object-rows.js';

type PrepareReader = (sql: string) => RowStatement;

const readers = new WeakMap<Kysely<any>, PrepareReader>();

/** Remembers how to prepare a reading statement on the SQLite handle behind a Kysely instance, for `prepareQuery`. */
export function registerSqliteReader(db: Kysely<any>, prepare: PrepareReader): void {
  readers.set(db, prepare);
}

/**
 * A query built and compiled once, run many times with new values: for the few queries on the hot
 * path of every request. Building and compiling a Kysely query and passing it through the driver
 * costs several times what SQLite needs to answer an indexed lookup; here SQLite runs the cached
 * statement directly, and PostgreSQL gets the same compiled SQL through Kysely.
 *
 * `build` receives one placeholder per argument and must use each exactly as a value.
 */
export function prepareQuery<A extends unknown[], R>(
  db: Kysely<any>,
  arity: A['length'],
  build: (...placeholders: A) => Compilable<R>,
): (...args: A) => Promise<R | undefined> {
  const { sql, bind } = compileWithPlaceholders(db, arity, build);
  const prepare = readers.get(db);
  if (prepare) {
    const statement = prepare(sql);
    return async (...args) => statement.get(bind(args)) as R | undefined;
  }
  return async (...args) => (await db.executeQuery<R>(CompiledQuery.raw(sql, bind(args)))).rows[0];
}

/** `prepareQuery` for a query answering every row it finds (a page of a list). */
export function prepareListQuery<A extends unknown[], R>(
  db: Kysely<any>,
  arity: A['length'],
  build: (...placeholders: A) => Compilable<R>,
): (...args: A) => Promise<R[]> {
  const { sql, bind } = compileWithPlaceholders(db, arity, build);
  const prepare = readers.get(db);
  if (prepare) {
    const statement = prepare(sql);
    return async (...args) => statement.all(bind(args)) as R[];
  }
  return async (...args) => (await db.executeQuery<R>(CompiledQuery.raw(sql, bind(args)))).rows;
}

/**
 * `prepareListQuery` that still goes through Kysely's driver: on SQLite it waits for the one
 * connection like any other query, so it never reads inside another request's open transaction.
 * For reads that must see only committed writes; it saves the building and compiling.
 */
export function prepareCommittedListQuery<A extends unknown[], R>(
  db: Kysely<any>,
  arity: A['length'],
  build: (...placeholders: A) => Compilable<R>,
): (...args: A) => Promise<R[]> {
  const { sql, bind } = compileWithPlaceholders(db, arity, build);
  return async (...args) => (await db.executeQuery<R>(CompiledQuery.raw(sql, bind(args)))).rows;
}

function compileWithPlaceholders<A extends unknown[], R>(
  db: Kysely<any>,
  arity: number,
  build: (...placeholders: A) => Compilable<R>,
) {
  const placeholders = Array.from({ length: arity }, (_, i) => `\u0000placeholder-${i}`);
  const compiled = build(...(placeholders as unknown as A)).compile();
  const positions = compiled.parameters.map((p) => placeholders.indexOf(p as string));
  const bind = (args: A) => positions.map((at, i) => (at === -1 ? compiled.parameters[i] : args[at]));
  const sql = readers.has(db) ? planOnceOnSqlite(compiled.sql, compiled.parameters.length) : compiled.sql;
  return { sql, bind };
}

/**
 * SQLite lets some bound values steer its plan, and then prepares the statement again every time
 * a value is bound: a bare `LIMIT ?` (3.53), and in 3.54 also `column = ?` in a query with an
 * ORDER BY, which is every page query. That re-prepare cost more than the page itself. `+?` is the
 * same value (unary plus is a no-op on every type, and a parameter has no affinity either way) but
 * not a bare parameter, so the plan, the same index search, is made once. Rewritten only when
 * every `?` of the text is a parameter marker.
 */
function planOnceOnSqlite(sql: string, parameterCount: number): string {
  const markers = sql.split('?').length - 1;
  return markers === parameterCount ? sql.replaceAll('?', '+?') : sql;
}

/**
 * Prepared queries for repositories whose functions take `db`: built on first use with a database
 * handle and kept as long as the handle lives.
 */
export function perDatabase<D extends Kysely<any>, T>(prepare: (db: D) => T): (db: D) => T {
  const prepared = new WeakMap<D, T>();
  return (db) => {
    let queries = prepared.get(db);
    if (!queries) {
      queries = prepare(db);
      prepared.set(db, queries);
    }
    return queries;
  };
}
