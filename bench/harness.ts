import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { loadConfig, openDatabase, type Config, type Db } from '@bailian-chat/server';

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
  /** The bench's own connection to the server's database, for seeding and for checking answers. */
  db: Db;
  config: Config;
  /** The server's process, for reading the CPU time it spends (cpuMillis). */
  pid: number;
  close(): Promise<void>;
}

const SERVER_MAIN = fileURLToPath(new URL('../server/src/main.ts', import.meta.url));
const BARE_EXPRESS = fileURLToPath(new URL('./bare-express-process.ts', import.meta.url));

/** Forks a TypeScript entry point with this process's loader (tsx), the packages' sources and BENCH_SERVER_FLAGS. */
export function forkSource(entry: string, args: string[] = [], env?: NodeJS.ProcessEnv): ChildProcess {
  return fork(entry, args, { env, execArgv: [...process.execArgv, '--conditions=source', ...(process.env.BENCH_SERVER_FLAGS?.split(' ') ?? [])] });
}

/** A port nothing listens on right now, for a server that must be told its port. */
async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Resolves once `url` answers; rejects if the server's process ends first. */
async function untilServing(url: string, child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`the server exited with code ${code} before it answered`);
  });
  const answers = (async () => {
    for (;;) {
      const ok = await fetch(url).then((res) => res.ok, () => false);
      if (ok) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  await Promise.race([answers, exited]);
}

/** Asks a process the bench started to stop (SIGTERM) and waits until it has. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/**
 * The server as `npm start` runs it (server/src/main.ts), in a process of its own, over a SQLite
 * file in a temp dir and configured as production would be. The bench seeds through a connection
 * of its own, so none of its work runs in the server's process. When it did, in some runs V8 took
 * from the bulk inserts that objects of some allocation sites live long and allocated them
 * straight in the old generation (pretenuring; `--no-allocation-site-pretenuring` made it go
 * away); each request's garbage was then promoted with them, a 10–15 ms scavenge every 100 ms
 * that a server which seeds nothing does not have.
 */
export async function startBenchApp(env: Record<string, string> = {}): Promise<BenchApp> {
  const dir = mkdtempSync(join(tmpdir(), 'bailian-bench-'));
  const serverEnv = {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(await freePort()),
    DATABASE_URL: `sqlite:${join(dir, 'bench.db')}`,
    JWT_SECRET: 'bench-secret-that-is-at-least-32-bytes-long',
    LOG_LEVEL: 'warn',
    REGISTER_RATE_LIMIT_PER_HOUR: '1000000',
    LOGIN_MAX_FAILURES: '1000000',
    LOGIN_MAX_FAILURES_PER_IP: '1000000',
    CHAT_RATE_LIMIT_PER_MINUTE: '100000000',
    ...env,
  };
  const config = loadConfig(serverEnv);
  const url = `http://${config.host}:${config.port}`;
  const server = forkSource(SERVER_MAIN, [], { ...process.env, ...serverEnv });
  try {
    await untilServing(`${url}/healthz`, server);
  } catch (err) {
    await stopProcess(server);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  // The server has run the migrations; this connection only reads and writes rows.
  const db = openDatabase(config.databaseUrl);
  return {
    url,
    db,
    config,
    pid: server.pid!,
    async close() {
      await stopProcess(server);
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The CPU time (user + system, ms) process `pid` has used so far, from Linux's /proc; undefined
 * where there is no /proc. Unlike latency, it barely depends on what else the machine is doing, so
 * a difference of two readings says what a piece of work costs wherever the bench runs. /proc
 * counts in clock ticks (CLK_TCK, 100 a second almost everywhere): read it over enough work.
 */
export function cpuMillis(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The fields after the command name, which is in parentheses and may hold spaces; utime and
  // stime are the 14th and 15th fields of the whole line.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicksPerSecond();
}

let clockTicks: number | undefined;
function clockTicksPerSecond(): number {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
  return clockTicks;
}

/** A bare Express app answering `body` as JSON on every GET, in a process of its own: the baseline we compare against. */
export async function startBareExpress(body: unknown): Promise<{ url: string; close(): Promise<void> }> {
  const child = forkSource(BARE_EXPRESS, [JSON.stringify(body)]);
  const [url] = (await once(child, 'message')) as [string];
  return { url, close: () => stopProcess(child) };
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
