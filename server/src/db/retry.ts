import { setTimeout as sleep } from 'node:timers/promises';
import { isPgLockTimeout, isTransientFailure } from './errors.js';

/**
 * The waits before each new try of a write that met a transient failure: 2.6 s in all, within the
 * time a stopping server gives its last writes.
 */
export const RETRY_DELAYS_MS = [100, 500, 2000];

/**
 * How long a write keeps waiting for a PostgreSQL lock, DATABASE_LOCK_TIMEOUT_MS at a time, before
 * it is given up. The longest lock the app takes itself, the statistics rollup's rebuild (a new
 * STATS_TIMEZONE) over millions of rows, ends well within it; a lock held longer than that is held
 * by something stuck. A stopping server does not wait for it: its forced exit ends the wait.
 */
export const LOCK_WAIT_BUDGET_MS = 10 * 60_000;

/**
 * Runs `write` (one transaction) and, after a transient failure (a PostgreSQL connection that was
 * terminated or lost, a failover, a statement timeout, a busy SQLite file: see
 * isTransientFailure), runs it again, up to RETRY_DELAYS_MS.length more times; a PostgreSQL lock
 * not granted in time is waited for again until LOCK_WAIT_BUDGET_MS has passed, since each try
 * already waited DATABASE_LOCK_TIMEOUT_MS. `onRetry` hears of each failure tried again. For writes
 * that exist nowhere else once they are lost, whose caller has nobody to tell. A commit whose
 * answer was lost could be stored twice: a far narrower window than the one this closes.
 */
export async function retryTransient<T>(write: () => Promise<T>, onRetry: (err: unknown, attempt: number) => void): Promise<T> {
  const started = Date.now();
  let failures = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      if (isPgLockTimeout(err) && Date.now() - started < LOCK_WAIT_BUDGET_MS) {
        onRetry(err, attempt);
        // The try itself waited; this pause only keeps a lock timeout of a few ms from spinning.
        await sleep(RETRY_DELAYS_MS[0]!);
        continue;
      }
      const delay = RETRY_DELAYS_MS[failures++];
      if (delay === undefined || !isTransientFailure(err)) throw err;
      onRetry(err, attempt);
      await sleep(delay);
    }
  }
}
