import { type Compilable, CompiledQuery, type Kysely } from 'kysely';
import type SQLite from 'better-sqlite3';

const rawHandles = new WeakMap<Kysely<any>, SQLite.Database>();

/** Remembers the better-sqlite3 handle behind a Kysely instance, for `prepareQuery`. */
export function registerSqliteHandle(db: Kysely<any>, handle: SQLite.Database): void {
  rawHandles.set(db, handle);
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
  const { sql, bind } = compileWithPlaceholders(arity, build);
  const handle = rawHandles.get(db);
  if (handle) {
    const statement = handle.prepare(sql);
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
  const { sql, bind } = compileWithPlaceholders(arity, build);
  const handle = rawHandles.get(db);
  if (handle) {
    const statement = handle.prepare(sql);
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
  const { sql, bind } = compileWithPlaceholders(arity, build);
  return async (...args) => (await db.executeQuery<R>(CompiledQuery.raw(sql, bind(args)))).rows;
}

function compileWithPlaceholders<A extends unknown[], R>(arity: number, build: (...placeholders: A) => Compilable<R>) {
  const placeholders = Array.from({ length: arity }, (_, i) => `\u0000placeholder-${i}`);
  const compiled = build(...(placeholders as unknown as A)).compile();
  const positions = compiled.parameters.map((p) => placeholders.indexOf(p as string));
  const bind = (args: A) => positions.map((at, i) => (at === -1 ? compiled.parameters[i] : args[at]));
  return { sql: compiled.sql, bind };
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
