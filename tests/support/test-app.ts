import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { watchConformance } from './conformance-watch.js';
import { createApp, createLogger, loadConfig, migrateToLatest, openDatabase, type AppDeps, type Config, type Db } from '@bailian-chat/server';

export interface TestApp {
  url: string;
  db: Db;
  config: Config;
  close(): Promise<void>;
}

export const TEST_JWT_SECRET = 'test-secret-that-is-at-least-32-bytes-long!';

const PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function adminQuery(text: string): Promise<void> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(text);
  } finally {
    await admin.end();
  }
}

/** A fresh PostgreSQL database for one app, and a function that drops it. */
async function freshPostgres(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `t_${randomBytes(8).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}${process.env.TEST_PG_ICU ? " TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'" : ''}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

export interface TestAppOptions {
  /**
   * A fresh PostgreSQL database whatever TEST_PG says: for a test of what only PostgreSQL does
   * (a lock, a terminated backend), which runs in every run rather than being skipped in most.
   */
  postgres?: boolean;
  /** false: no migrations, for a database that cannot take them (one that does not answer). */
  migrate?: boolean;
}

/**
 * The real app on a real port (0: the OS picks) over a fresh in-memory SQLite database that went
 * through the real migrations (a fresh PostgreSQL database with TEST_PG set, or `postgres`).
 * `env` overrides configuration variables as the environment would; `logger` replaces the silent
 * one when a test reads the log. Every answer is checked against openapi.json
 * (conformance-setup.ts fails the test that got one the document does not describe).
 */
export async function startTestApp(
  env: Record<string, string> = {},
  logger?: AppDeps['logger'],
  { postgres = Boolean(process.env.TEST_PG), migrate = true }: TestAppOptions = {},
): Promise<TestApp> {
  const pgDb = postgres && !env.DATABASE_URL ? await freshPostgres() : undefined;
  const config = loadConfig({
    DATABASE_URL: pgDb?.url ?? 'sqlite::memory:',
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const db = openDatabase(config.databaseUrl, undefined, config.databasePool);
  try {
    if (migrate) await migrateToLatest(db);
  } catch (err) {
    await db.destroy();
    await pgDb?.drop();
    throw err;
  }
  const app = createApp({ config, db, logger: logger ?? createLogger(config.logLevel) });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  watchConformance(server);
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
      await pgDb?.drop();
    },
  };
}
