import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import { retryTransient } from '../db/retry.js';
import type { NewApiCall } from '../db/schema.js';
import { insertApiCalls } from './api-calls-repository.js';

/** How long a record may wait for others to share its transaction. */
const BATCH_WINDOW_MS = 2;
const MAX_BATCH = 500;

/**
 * Writes API-call records in batches. Chat answers tend to finish in bursts (many requests that
 * started together end together), and one transaction per record would then cost the event loop
 * more than the answers themselves; here a burst becomes one insert and one rollup update. A record
 * is written within a few milliseconds; `drain` writes what is waiting, and what is still being put
 * together, before the database closes.
 */
export class ApiCallWriter {
  #queue: NewApiCall[] = [];
  #timer: NodeJS.Timeout | undefined;
  #written: Promise<void> = Promise.resolve();
  /** Records still being put together (a stream storing its reply first): `drain` waits for them. */
  readonly #coming = new Set<Promise<unknown>>();

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
  ) {}

  write(call: NewApiCall): void {
    this.#queue.push(call);
    if (this.#queue.length >= MAX_BATCH) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), BATCH_WINDOW_MS);
  }

  /** Keeps `record`, a record that `write` will get once it settles, in what `drain` waits for. */
  expect(record: Promise<unknown>): void {
    this.#coming.add(record);
    const settled = () => this.#coming.delete(record);
    record.then(settled, settled);
  }

  /** Writes every record, queued or still expected (at shutdown); never rejects. */
  async drain(): Promise<void> {
    await Promise.allSettled(this.#coming);
    await this.flush();
  }

  /** Writes every queued record; resolves when all writes so far are done (they never reject). */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#queue.splice(0);
    if (batch.length) {
      // One batch at a time, in order: SQLite has one writer anyway, and order keeps ids by time.
      this.#written = this.#written.then(() => this.#store(batch));
    }
    return this.#written;
  }

  /**
   * Stores one batch, trying again after a transient failure: the records exist nowhere else, and
   * one PostgreSQL connection lost under a busy server would lose the whole batch. Never rejects.
   */
  async #store(batch: NewApiCall[]): Promise<void> {
    const count = batch.length;
    try {
      await retryTransient(
        () => insertApiCalls(this.db, batch),
        (err, attempt) => this.logger.warn({ err, count, attempt }, 'API calls not recorded yet: trying again'),
      );
    } catch (err) {
      this.logger.error({ err, count }, 'API calls not recorded');
    }
  }
}
