import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApp, createLogger, loadConfig, migrateToLatest, openDatabase, type AppDeps, type Config, type Db } from '@bailian-chat/server';

export interface TestApp {
  url: string;
  db: Db;
  config: Config;
  close(): Promise<void>;
}

export const TEST_JWT_SECRET = 'test-secret-that-is-at-least-32-bytes-long!';

/**
 * The real app on a real port (0: the OS picks) over a fresh in-memory SQLite database that went
 * through the real migrations. `env` overrides configuration variables as the environment would;
 * `logger` replaces the silent one when a test reads the log.
 */
export async function startTestApp(env: Record<string, string> = {}, logger?: AppDeps['logger']): Promise<TestApp> {
  const config = loadConfig({
    DATABASE_URL: 'sqlite::memory:',
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const db = openDatabase(config.databaseUrl);
  await migrateToLatest(db);
  const app = createApp({ config, db, logger: logger ?? createLogger(config.logLevel) });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    db,
    config,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await app.drain();
      await db.destroy();
    },
  };
}
