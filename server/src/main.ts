import type { Server } from 'node:http';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrator.js';
import { ensureStatsRollup } from './history/stats-rollup-rebuild.js';
import { createLogger } from './logger.js';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const db = openDatabase(config.databaseUrl);
  await migrateToLatest(db);
  // Build the statistics rollup now (a no-op when it is current), not on the first history request.
  await ensureStatsRollup(db, config.statsTimezone);
  const app = createApp({ config, db, logger });
  const server: Server = app.listen(config.port, config.host, () => {
    logger.info({ host: config.host, port: config.port }, 'bailian-chat listening');
  });
  // A taken port or an unknown host is a configuration problem: one line naming it, not a stack.
  server.once('error', (err: NodeJS.ErrnoException) => {
    console.error(`Cannot listen on HOST ${config.host} PORT ${config.port}: ${err.code ?? err.message}`);
    process.exit(1);
  });

  // Finish what is in flight, then close the database; a second signal or 10 s forces the exit.
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => process.exit(1), 10_000).unref();
    // A kept-alive connection still in use would hold the exit until the forced one: tell each
    // later request on it that the connection closes with its response (before the app answers).
    server.prependListener('request', (_req, res) => res.setHeader('Connection', 'close'));
    server.close(async () => {
      await app.drain();
      await db.destroy();
      logger.info('stopped');
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
