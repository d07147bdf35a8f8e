import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { measure, printTable, startBenchApp, verdict, type BenchApp, type Measurement, type Scenario } from '../harness.js';

const QUESTION = { model: 'qwen-plus', messages: [{ role: 'user', content: [{ type: 'text', text: '你好，请介绍一下你自己' }] }] };
const STREAMED = { ...QUESTION, stream: true };
// What the proxy sends upstream for a streamed call, so that the direct run asks for the same.
const STREAMED_UPSTREAM = { ...STREAMED, stream_options: { include_usage: true } };
/**
 * How long the fake model takes to answer in the measured runs (BENCH_MODEL_MS). A real Qwen call
 * takes a few hundred milliseconds to its first token and often seconds in all; 200 ms keeps the
 * proxy's share of each call larger than in production. The targets are about what the proxy adds
 * to a call, so the load is what 50 clients of such a model make; the instant-model runs show what
 * the proxy sustains when it is the only thing that takes time.
 */
const MODEL_MS = Number(process.env.BENCH_MODEL_MS ?? 200);
const TTFB_ROUNDS = 100;

interface Upstream {
  baseUrl: string;
  close(): void;
}

interface Target {
  url: string;
  headers: Record<string, string>;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/** The fake DashScope in a process of its own, so that it does not share the app's event loop. */
async function startUpstream(delayMs: number): Promise<Upstream> {
  const child = fork(fileURLToPath(new URL('./fake-dashscope-process.ts', import.meta.url)), [String(delayMs)], {
    execArgv: [...process.execArgv, '--conditions=source'],
  });
  const [baseUrl] = (await once(child, 'message')) as [string];
  return { baseUrl, close: () => child.disconnect() };
}

function direct(upstream: Upstream): Target {
  return { url: `${upstream.baseUrl}/chat/completions`, headers: { ...JSON_HEADERS, authorization: 'Bearer sk-bench' } };
}

async function proxyTo(upstream: Upstream): Promise<{ app: BenchApp; target: Target }> {
  const app = await startBenchApp({ DASHSCOPE_API_KEY: 'sk-bench', DASHSCOPE_BASE_URL: upstream.baseUrl });
  const user = { username: 'chat_bench', email: 'chat-bench@example.com', password: 'chat bench password 123' };
  const post = (path: string, body: unknown) =>
    fetch(app.url + path, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) });
  await post('/api/auth/register', user);
  const login = (await (await post('/api/auth/login', user)).json()) as { data: { access_token: string } };
  const headers = { ...JSON_HEADERS, authorization: `Bearer ${login.data.access_token}` };
  return { app, target: { url: `${app.url}/api/bailian/chat/completions`, headers } };
}

/** One call, read to its end; resolves with the time (ms) to the first byte of its body. */
async function call(target: Target, body: unknown): Promise<number> {
  const started = performance.now();
  const res = await fetch(target.url, { method: 'POST', headers: target.headers, body: JSON.stringify(body) });
  const reader = res.body!.getReader();
  await reader.read();
  const ttfb = performance.now() - started;
  while (!(await reader.read()).done);
  return ttfb;
}

/** Median time to first byte over sequential calls: what one call pays, without load. */
async function medianTtfb(target: Target, body: unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < TTFB_ROUNDS; i += 1) times.push(await call(target, body));
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** A few hundred calls on every path first, so that no measured run pays for JIT compilation. */
async function warmUp(upstream: Upstream, proxy: Target): Promise<void> {
  const paths: [Target, unknown][] = [
    [direct(upstream), QUESTION],
    [direct(upstream), STREAMED_UPSTREAM],
    [proxy, QUESTION],
    [proxy, STREAMED],
  ];
  for (const [target, body] of paths) {
    await Promise.all(Array.from({ length: 20 }, async () => {
      for (let i = 0; i < 10; i += 1) await call(target, body);
    }));
  }
}

function load(name: string, target: Target, body: unknown): Promise<Measurement> {
  return measure('chat', name, target.url, { method: 'POST', headers: target.headers, body: JSON.stringify(body) });
}

function compare(label: string, direct: Measurement, proxy: Measurement): boolean {
  const ratio = proxy.requestsPerSecond / direct.requestsPerSecond;
  const p50 = proxy.p50 - direct.p50;
  const p99 = proxy.p99 - direct.p99;
  const clean = direct.errors === 0 && proxy.errors === 0;
  return [
    verdict(`${label}: proxy throughput >= 50% of direct`, ratio >= 0.5 && clean, `${(ratio * 100).toFixed(1)}%`),
    verdict(`${label}: added p50 <= 1 ms`, p50 <= 1, `${p50.toFixed(2)} ms`),
    verdict(`${label}: added p99 <= 5 ms`, p99 <= 5, `${p99.toFixed(2)} ms`),
  ].every(Boolean);
}

/** Median added time to the first streamed byte, over sequential calls. */
async function addedTtfb(upstream: Upstream, proxy: Target): Promise<{ added: number; detail: string }> {
  const direct_ = await medianTtfb(direct(upstream), STREAMED_UPSTREAM);
  const proxy_ = await medianTtfb(proxy, STREAMED);
  return {
    added: proxy_ - direct_,
    detail: `${(proxy_ - direct_).toFixed(2)} ms (direct ${direct_.toFixed(2)}, proxy ${proxy_.toFixed(2)}; median of ${TTFB_ROUNDS})`,
  };
}

/** Starts a fake model that takes `delayMs`, the app in front of it, warms both, runs `body`. */
async function withModel<T>(delayMs: number, body: (upstream: Upstream, proxy: Target) => Promise<T>): Promise<T> {
  const upstream = await startUpstream(delayMs);
  const { app, target: proxy } = await proxyTo(upstream);
  try {
    await warmUp(upstream, proxy);
    return await body(upstream, proxy);
  } finally {
    await app.close();
    upstream.close();
  }
}

/** The targets, against a model that takes MODEL_MS. */
function againstModel(): Promise<boolean> {
  return withModel(MODEL_MS, async (upstream, proxy) => {
    const rows = [
      await load(`direct (model ${MODEL_MS} ms)`, direct(upstream), QUESTION),
      await load(`proxy (model ${MODEL_MS} ms)`, proxy, QUESTION),
      await load(`direct, streamed (model ${MODEL_MS} ms)`, direct(upstream), STREAMED_UPSTREAM),
      await load(`proxy, streamed (model ${MODEL_MS} ms)`, proxy, STREAMED),
    ];
    printTable(rows);
    const ttfb = await addedTtfb(upstream, proxy);
    return [
      compare('non-streamed', rows[0]!, rows[1]!),
      compare('streamed', rows[2]!, rows[3]!),
      verdict('streamed: added time to first byte <= 2 ms', ttfb.added <= 2, ttfb.detail),
    ].every(Boolean);
  });
}

/** For information (no target): the proxy's own capacity and cost, against a model that answers at once. */
function againstInstantModel(): Promise<void> {
  return withModel(0, async (upstream, proxy) => {
    printTable([
      await load('direct (instant model)', direct(upstream), QUESTION),
      await load('proxy (instant model)', proxy, QUESTION),
      await load('proxy, streamed (instant model)', proxy, STREAMED),
    ]);
    console.log(`info  streamed, instant model: added time to first byte ${(await addedTtfb(upstream, proxy)).detail}`);
  });
}

/**
 * POST /api/bailian/chat/completions against a fake DashScope, each load run straight at the fake
 * and through the proxy (auth, validation, rate limit, SDK, api_calls row) at 50 connections, so
 * the difference is what the proxy adds. Streamed runs read every frame to [DONE].
 */
export const chatScenario: Scenario = {
  name: 'chat',
  async run() {
    const passed = await againstModel();
    await againstInstantModel();
    return passed;
  },
};
