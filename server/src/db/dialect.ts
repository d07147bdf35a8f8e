import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter } from 'kysely';

export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** An auto-incrementing integer primary key, spelled the way each dialect wants it. */
export function idColumnType(db: Kysely<any>): 'serial' | 'integer' {
  return isPostgres(db) ? 'serial' : 'integer';
}

export function idColumn(db: Kysely<any>) {
  return (col: ColumnDefinitionBuilder) => (isPostgres(db) ? col.primaryKey() : col.primaryKey().autoIncrement());
}

/** The largest id a `serial` (int4) column holds on PostgreSQL; the same bound applies on SQLite. */
export const MAX_ID = 2_147_483_647;

/**
 * Whether an id can name a row at all. A larger one (the contract accepts any safe integer) would
 * fail a PostgreSQL query on an int4 column ("out of range") instead of finding nothing.
 */
export function isStorableId(id: number): boolean {
  return id <= MAX_ID;
}
