import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import type { NewApiCall } from '../db/schema.js';
import { insertApiCalls } from './api-calls-repository.js';

/** How long a record may wait for others to share its transaction. */
const BATCH_WINDOW_MS = 2;
const MAX_BATCH = 500;

/**
 * Writes API-call records in batches. Chat answers tend to finish in bursts (many requests that
 * started together end together), and one transaction per record would then cost the event loop
 * more than the answers themselves; here a burst becomes one insert and one rollup update. A record
 * is written within a few milliseconds; `flush` writes what is waiting (at shutdown, for one).
 */
export class ApiCallWriter {
  #queue: NewApiCall[] = [];
  #timer: NodeJS.Timeout | undefined;
  #written: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
  ) {}

  write(call: NewApiCall): void {
    this.#queue.push(call);
    if (this.#queue.length >= MAX_BATCH) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), BATCH_WINDOW_MS);
  }

  /** Writes every queued record; resolves when all writes so far are done (they never reject). */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#queue.splice(0);
    if (batch.length) {
      // One batch at a time, in order: SQLite has one writer anyway, and order keeps ids by time.
      this.#written = this.#written.then(() =>
        insertApiCalls(this.db, batch).then(
          () => undefined,
          (err: unknown) => this.logger.error({ err, count: batch.length }, 'API calls not recorded'),
        ),
      );
    }
    return this.#written;
  }
}
