import { isLockTimeout } from './db/errors.js';

/**
 * The one line a server or a migration that could not start prints. A lock not granted at start-up
 * is no fault of the configuration or the code but of whatever else holds it (another replica
 * migrating, a long transaction, on SQLite a process with the file open in a transaction): the
 * line says so and what to do, beside the database's own words.
 */
export function startupFailure(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (!isLockTimeout(err)) return message;
  return (
    'Cannot prepare the database: a lock was not granted within DATABASE_LOCK_TIMEOUT_MS ' +
    `(another connection holds it: a migration running elsewhere, a long transaction); start again once it is released (${message})`
  );
}
