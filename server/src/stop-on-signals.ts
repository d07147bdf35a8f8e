import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { App } from './app.js';
import type { Db } from './db/database.js';

/**
 * How long a connection left idle by an answer that was in flight at the signal stays open (Node
 * adds its keep-alive buffer, 1 s on 20.20 and 24): time for a busy client's next request, which
 * is told that the connection closes.
 */
const STOPPING_KEEP_ALIVE_MS = 1_000;
/** After the grace period: how long the calls it ended have to send their last frame. */
const LAST_FRAME_MS = 1_000;
/** Then how long the drain and the database get before the exit is forced. */
const LAST_WRITES_MS = 5_000;
/**
 * A second signal within this time is the same stop: Ctrl-C under `npm start` reaches the server
 * twice (from the terminal and forwarded by npm), as does a stop of its whole process group.
 */
const SAME_STOP_MS = 1_000;

/**
 * On SIGTERM or SIGINT: take no new connection, finish what is in flight, write what is buffered,
 * close the database and exit 0. Answers still running after `graceMs` (a long chat stream) are
 * ended properly: each stream gets its error frame, its partial reply is stored and its call
 * recorded, before the connections left are cut. A later second signal exits at once.
 */
export function stopOnSignals(server: Server, app: App, db: Db, logger: Logger, graceMs: number): void {
  let stoppedAt: number | undefined;
  const stop = (signal: string) => {
    if (stoppedAt !== undefined) {
      if (performance.now() - stoppedAt >= SAME_STOP_MS) process.exit(1);
      return;
    }
    stoppedAt = performance.now();
    logger.info({ signal, graceMs }, 'shutting down');
    // A kept-alive connection still in use would hold the exit until the forced one: tell each
    // later request on it that the connection closes with its response (before the app answers).
    server.prependListener('request', (_req, res) => res.setHeader('Connection', 'close'));
    // An answer in flight has already said keep-alive: close its connection soon after it ends,
    // not after the usual keep-alive timeout, which could outlast the grace period.
    server.keepAliveTimeout = STOPPING_KEEP_ALIVE_MS;
    server.close(async () => {
      await app.drain();
      await db.destroy();
      logger.info('stopped');
      process.exit(0);
    });
    server.closeIdleConnections();
    setTimeout(() => {
      logger.warn('grace period over: ending the answers still in flight');
      app.endCallsInFlight();
      setTimeout(() => server.closeAllConnections(), LAST_FRAME_MS).unref();
      setTimeout(() => process.exit(1), LAST_FRAME_MS + LAST_WRITES_MS).unref();
    }, graceMs).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
