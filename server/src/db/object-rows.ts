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
 * this loop; better-sqlite3 13 builds its row constructor with `Function()` again after every
 * re-prepare, and SQLite re-prepares a query with an ORDER BY and bound values on each run (see
 * `planOnceOnSqlite` for the hot queries; this covers the rest). The column names are read once,
 * and again only if the statement's columns change (a schema change re-prepares it).
 */
export function objectRows(statement: SQLite.Statement): RowStatement {
  statement.raw(true);
  let names = statement.columns().map((column) => column.name);
  const toObject = (values: unknown[]) => {
    if (values.length !== names.length) names = statement.columns().map((column) => column.name);
    const row: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) row[names[i]!] = values[i];
    return row;
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
