import type { Server } from 'node:http';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrator.js';
import { ensureStatsRollup } from './history/stats-rollup-rebuild.js';
import { createLogger } from './logger.js';
import { startupFailure } from './startup-failure.js';
import { stopOnSignals } from './stop-on-signals.js';

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
  const db = openDatabase(config.databaseUrl, logger, config.databasePool);
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

  stopOnSignals(server, app, db, logger, config.shutdownGraceMs);
}

main().catch((err) => {
  console.error(startupFailure(err));
  process.exit(1);
});
