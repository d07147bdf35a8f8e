import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import express from 'express';
import { createApp, createLogger, loadConfig, migrateToLatest, openDatabase, type Config, type Db } from '@bailian-chat/server';

export interface Measurement {
  scenario: string;
  target: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  p95?: number;
  errors: number;
}

export interface BenchApp {
  url: string;
  db: Db;
  config: Config;
  close(): Promise<void>;
}

function listen(app: express.Express): Promise<Server> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function urlOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The real app over a SQLite file in a temp dir, configured as production would be. */
export async function startBenchApp(env: Record<string, string> = {}): Promise<BenchApp> {
  const dir = mkdtempSync(join(tmpdir(), 'bailian-bench-'));
  const config = loadConfig({
    NODE_ENV: 'production',
    DATABASE_URL: `sqlite:${join(dir, 'bench.db')}`,
    JWT_SECRET: 'bench-secret-that-is-at-least-32-bytes-long',
    LOG_LEVEL: 'warn',
    REGISTER_RATE_LIMIT_PER_HOUR: '1000000',
    LOGIN_MAX_FAILURES: '1000000',
    CHAT_RATE_LIMIT_PER_MINUTE: '100000000',
    ...env,
  });
  const db = openDatabase(config.databaseUrl);
  await migrateToLatest(db);
  const app = createApp({ config, db, logger: createLogger(config.logLevel) });
  const server = await listen(app);
  return {
    url: urlOf(server),
    db,
    config,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await app.drain();
      await db.destroy();
    },
  };
}

/** A bare Express app answering `body` as JSON on every GET: the baseline we compare against. */
export async function startBareExpress(body: unknown): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  app.get('*', (_req, res) => {
    res.json(body);
  });
  const server = await listen(app);
  return {
    url: urlOf(server),
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** What the load generator (bench/load-generator.mjs, a worker thread) is asked to do and answers. */
interface LoadRequest {
  url: string;
  method: string;
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  durationSeconds: number;
}

type LoadResult = Omit<Measurement, 'scenario' | 'target'>;

export interface LoadOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  headers?: Record<string, string>;
  body?: string;
  connections?: number;
  durationSeconds?: number;
}

/** Drives `url` with autocannon (in a worker thread) and returns throughput and latency percentiles (ms). */
export async function measure(scenario: string, target: string, url: string, options: LoadOptions = {}): Promise<Measurement> {
  const request: LoadRequest = {
    url,
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body,
    connections: options.connections ?? 50,
    durationSeconds: Number(process.env.BENCH_SECONDS ?? options.durationSeconds ?? 10),
  };
  const worker = new Worker(new URL('./load-generator.mjs', import.meta.url), { workerData: request });
  const reply = await new Promise<{ result?: LoadResult; error?: string }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  if (!reply.result) throw new Error(`load generator failed: ${reply.error}`);
  return { scenario, target, ...reply.result };
}

export function printTable(rows: Measurement[]): void {
  const lines = rows.map((r) =>
    [
      r.scenario,
      r.target,
      r.requestsPerSecond.toFixed(0),
      r.p50.toFixed(2),
      r.p95?.toFixed(2) ?? '-',
      r.p99.toFixed(2),
      String(r.errors),
    ].join(' | '),
  );
  console.log(
    ['scenario | target | req/s | p50 ms | p95 ms | p99 ms | errors', '---|---|---|---|---|---|---', ...lines].join('\n'),
  );
}

/** A check against a target, printed as PASS/FAIL with the numbers. */
export function verdict(label: string, pass: boolean, detail: string): boolean {
  console.log(`${pass ? 'PASS' : 'FAIL'}  ${label}: ${detail}`);
  return pass;
}

/** A scenario of `npm run bench`: sets up its data, measures, prints, and says whether it met its targets. */
export interface Scenario {
  name: string;
  run(): Promise<boolean>;
}

/** Registers and logs in a user of the bench app; returns its id and access token. */
export async function benchAccount(url: string, username: string): Promise<{ userId: number; token: string }> {
  const post = async (path: string, body: unknown) => {
    const res = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return (await res.json()) as { data: Record<string, unknown> };
  };
  const password = 'bench password 123';
  const registered = await post('/api/auth/register', { username, email: `${username}@example.com`, password });
  const login = await post('/api/auth/login', { username, password });
  return { userId: registered.data.user_id as number, token: login.data.access_token as string };
}
