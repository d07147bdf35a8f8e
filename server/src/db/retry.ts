import { setTimeout as sleep } from 'node:timers/promises';
import { isTransientFailure } from './errors.js';

/**
 * The waits before each new try of a write that met a transient failure: 2.6 s in all, within the
 * time a stopping server gives its last writes. A try that meets a lock takes up to
 * DATABASE_LOCK_TIMEOUT_MS more before it fails.
 */
export const RETRY_DELAYS_MS = [100, 500, 2000];

/**
 * Runs `write` (one transaction) and, after a transient failure (a PostgreSQL connection that was
 * terminated or lost, a failover, a statement timeout, a lock not granted in time: see
 * isTransientFailure), runs it again, up to RETRY_DELAYS_MS.length more times; `onRetry` hears of
 * each failure tried again. For writes that exist nowhere else once they are lost, whose caller
 * has nobody to tell. A commit whose answer was lost could be stored twice: a far narrower window
 * than the one this closes.
 */
export async function retryTransient<T>(write: () => Promise<T>, onRetry: (err: unknown, attempt: number) => void): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      const delay = RETRY_DELAYS_MS[attempt - 1];
      if (delay === undefined || !isTransientFailure(err)) throw err;
      onRetry(err, attempt);
      await sleep(delay);
    }
  }
}
