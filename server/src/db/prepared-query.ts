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
  const placeholders = Array.from({ length: arity }, (_, i) => `\u0000placeholder-${i}`);
  const compiled = build(...(placeholders as unknown as A)).compile();
  const positions = compiled.parameters.map((p) => placeholders.indexOf(p as string));
  const bind = (args: A) => positions.map((at, i) => (at === -1 ? compiled.parameters[i] : args[at]));

  const handle = rawHandles.get(db);
  if (handle) {
    const statement = handle.prepare(compiled.sql);
    return async (...args) => statement.get(bind(args)) as R | undefined;
  }
  return async (...args) => (await db.executeQuery<R>(CompiledQuery.raw(compiled.sql, bind(args)))).rows[0];
}
