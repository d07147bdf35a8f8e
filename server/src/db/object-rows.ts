import type SQLite from 'better-sqlite3';

/** What our code and Kysely's SQLite driver use of a statement that returns rows. */
export interface RowStatement {
  readonly reader: true;
  all(...params: unknown[]): unknown[];
  get(...params: unknown[]): unknown;
  iterate(...params: unknown[]): IterableIterator<unknown>;
}

/**
 * A reading statement that hands back rows as objects built here from raw (array) rows.
 *
 * Why: better-sqlite3 12 (Node < 22) names every column of every row in C++, which costs more than
 * building them here; better-sqlite3 13 builds its row constructor with `Function()` again after every
 * re-prepare, and SQLite re-prepares a query with an ORDER BY and bound values on each run (see
 * `planOnceOnSqlite` for the hot queries; this covers the rest). The column names are read once,
 * and again only if the statement's columns change (a schema change re-prepares it).
 */
export function objectRows(statement: SQLite.Statement): RowStatement {
  statement.raw(true);
  let names = columnNames(statement);
  let build = rowBuilder(names);
  const toObject = (values: unknown[]) => {
    if (values.length !== names.length) {
      names = columnNames(statement);
      build = rowBuilder(names);
    }
    return build(values);
  };
  return {
    reader: true,
    all: (...params) => (statement.all(...params) as unknown[][]).map(toObject),
    get: (...params) => {
      const values = statement.get(...params) as unknown[] | undefined;
      return values && toObject(values);
    },
    *iterate(...params) {
      for (const values of statement.iterate(...params) as IterableIterator<unknown[]>) yield toObject(values);
    },
  };
}

function columnNames(statement: SQLite.Statement): string[] {
  return statement.columns().map((column) => column.name);
}

type RowBuilder = (values: unknown[]) => Record<string, unknown>;

const rowBuilders = new Map<string, RowBuilder>();

/**
 * A function returning `{ [names[i]]: values[i] }` as an object literal: V8 gives every row of
 * one shape the same hidden class, which a loop of keyed stores does not manage as cheaply. One
 * per list of names, compiled once (the names are quoted by JSON.stringify, so any name is safe).
 * A repeated name keeps its last value, as SQLite's own object rows do.
 */
function rowBuilder(names: string[]): RowBuilder {
  const key = JSON.stringify(names);
  let build = rowBuilders.get(key);
  if (!build) {
    const properties = names.map((name, i) => `${JSON.stringify(name)}: values[${i}]`).join(', ');
    build = new Function('values', `return { ${properties} };`) as RowBuilder;
    rowBuilders.set(key, build);
  }
  return build;
}
