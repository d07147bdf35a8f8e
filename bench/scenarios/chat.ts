import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import {
  cpuMillis,
  forkSource,
  measure,
  printTable,
  startBenchApp,
  stopProcess,
  verdict,
  type BenchApp,
  type Measurement,
  type Scenario,
} from '../harness.js';
import type { ModelTiming } from './fake-dashscope-process.js';

const QUESTION = { model: 'qwen-plus', messages: [{ role: 'user', content: [{ type: 'text', text: '你好，请介绍一下你自己' }] }] };
const STREAMED = { ...QUESTION, stream: true };
// What the proxy sends upstream for a streamed call, so that the direct run asks for the same.
const STREAMED_UPSTREAM = { ...STREAMED, stream_options: { include_usage: true } };
/**
 * How long the fake model takes to answer in the measured runs (BENCH_MODEL_MS), on average. A real
 * Qwen call takes a few hundred milliseconds to its first token and often seconds in all; 200 ms
 * keeps the proxy's share of each call larger than in production. The targets are about what the
 * proxy adds to a call, so the load is what 50 clients of such a model make; the instant-model runs
 * show what the proxy sustains when it is the only thing that takes time.
 *
 * In the runs the targets judge, each answer takes between 50% and 150% of that (a seeded sequence,
 * the same for the direct and the proxied run), as a model's answers do. With one fixed time, the
 * 50 clients of a closed-loop load generator that start together stay in lock-step for the whole
 * run: all 50 answers come back in the same millisecond, every time, and the run measures how long
 * the proxy takes to work through a burst of 50 calls, not what it adds to a call. That burst is
 * still measured and printed, for information.
 */
const MODEL_MS = Number(process.env.BENCH_MODEL_MS ?? 200);
const TTFB_ROUNDS = 100;
/** Calls over which the CPU time per call is read (after as many again to warm up). */
const CPU_CALLS = 2000;

interface Upstream {
  baseUrl: string;
  /** Switches the model's timing, restarting its seeded sequence of times. */
  time(timing: ModelTiming): Promise<void>;
  close(): void;
}

interface Target {
  url: string;
  headers: Record<string, string>;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/** The fake DashScope in a process of its own, so that it does not share the app's event loop. */
async function startUpstream(delayMs: number): Promise<Upstream> {
  const child = forkSource(fileURLToPath(new URL('./fake-dashscope-process.ts', import.meta.url)), [String(delayMs)]);
  const [baseUrl] = (await once(child, 'message')) as [string];
  return {
    baseUrl,
    async time(timing) {
      child.send(timing);
      await once(child, 'message');
    },
    close: () => child.disconnect(),
  };
}

/**
 * What the bench puts in front of the fake instead of the proxy, for information: a bare node:http
 * pass-through (what one more hop costs on this machine), and the least a proxy in this project's
 * stack does, Express and the openai SDK with nothing of ours (what the stack costs). What the proxy
 * adds beyond them is its own work: auth, validation, rate limit, records, envelope.
 */
const STAND_INS = [
  { name: 'bare node:http pass-through', entry: './pass-through-process.ts' },
  { name: 'Express + openai SDK, nothing else', entry: './sdk-proxy-process.ts' },
] as const;
type StandIn = (typeof STAND_INS)[number];

/** A stand-in in front of the fake, in a process of its own. */
async function startStandIn(upstream: Upstream, standIn: StandIn): Promise<{ target: Target; pid: number; close(): Promise<void> }> {
  const child = forkSource(fileURLToPath(new URL(standIn.entry, import.meta.url)), [upstream.baseUrl]);
  const [url] = (await once(child, 'message')) as [string];
  return { target: { ...direct(upstream), url: `${url}/chat/completions` }, pid: child.pid!, close: () => stopProcess(child) };
}

/** Runs `body` against each stand-in in turn, stopping each after. */
async function eachStandIn(upstream: Upstream, body: (standIn: StandIn, target: Target, pid: number) => Promise<void>): Promise<void> {
  for (const standIn of STAND_INS) {
    const started = await startStandIn(upstream, standIn);
    try {
      await body(standIn, started.target, started.pid);
    } finally {
      await started.close();
    }
  }
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

/**
 * One call, read to its end; resolves with the time (ms) to the first byte of its body. A failed
 * call stops the bench: nothing measured of it would be a chat call's.
 */
async function call(target: Target, body: unknown): Promise<number> {
  const started = performance.now();
  const res = await fetch(target.url, { method: 'POST', headers: target.headers, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${target.url} answered ${res.status}: ${await res.text()}`);
  const reader = res.body!.getReader();
  await reader.read();
  const ttfb = performance.now() - started;
  while (!(await reader.read()).done);
  return ttfb;
}

/** `count` calls from 10 clients at a time. */
async function calls(target: Target, body: unknown, count: number): Promise<void> {
  let left = count;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (left-- > 0) await call(target, body);
    }),
  );
}

/** The CPU time (ms) process `pid` spends on each call of `body` to `target`; undefined without /proc. */
async function cpuPerCall(pid: number, target: Target, body: unknown): Promise<number | undefined> {
  await calls(target, body, CPU_CALLS);
  const before = cpuMillis(pid);
  await calls(target, body, CPU_CALLS);
  const after = cpuMillis(pid);
  return before === undefined || after === undefined ? undefined : (after - before) / CPU_CALLS;
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
async function addedTtfb(upstream: Upstream, proxy: Target): Promise<{ direct: number; added: number; detail: string }> {
  const direct_ = await medianTtfb(direct(upstream), STREAMED_UPSTREAM);
  const proxy_ = await medianTtfb(proxy, STREAMED);
  return {
    direct: direct_,
    added: proxy_ - direct_,
    detail: `${(proxy_ - direct_).toFixed(2)} ms (direct ${direct_.toFixed(2)}, proxy ${proxy_.toFixed(2)}; median of ${TTFB_ROUNDS})`,
  };
}

/** Starts a fake model that takes `delayMs`, the app in front of it, warms both, runs `body`. */
async function withModel<T>(delayMs: number, body: (upstream: Upstream, proxy: Target, proxyPid: number) => Promise<T>): Promise<T> {
  const upstream = await startUpstream(delayMs);
  const { app, target: proxy } = await proxyTo(upstream);
  try {
    await warmUp(upstream, proxy);
    return await body(upstream, proxy, app.pid);
  } finally {
    await app.close();
    upstream.close();
  }
}

/** Both runs of one kind of call, each from the start of the model's sequence of times. */
async function directAndProxied(label: string, upstream: Upstream, proxy: Target, streamed: boolean, timing: ModelTiming) {
  const [directBody, proxyBody] = streamed ? [STREAMED_UPSTREAM, STREAMED] : [QUESTION, QUESTION];
  const what = `${streamed ? ', streamed' : ''} (${label})`;
  await upstream.time(timing);
  const direct_ = await load(`direct${what}`, direct(upstream), directBody);
  await upstream.time(timing);
  return [direct_, await load(`proxy${what}`, proxy, proxyBody)] as const;
}

/**
 * For information: the same load through each stand-in instead of the proxy, against the same
 * sequence of model times, and the same sequential calls to the first streamed byte.
 */
function standInsAdded(upstream: Upstream, plainDirect: Measurement, streamedDirect: Measurement, directTtfb: number): Promise<void> {
  return eachStandIn(upstream, async (standIn, target) => {
    const added: string[] = [];
    for (const [body, directRun, label] of [
      [QUESTION, plainDirect, 'non-streamed'],
      [STREAMED_UPSTREAM, streamedDirect, 'streamed'],
    ] as const) {
      await upstream.time('spread');
      const run = await load(`${standIn.name}, ${label}`, target, body);
      const errors = run.errors ? ` (${run.errors} errors)` : '';
      added.push(`${(run.p50 - directRun.p50).toFixed(2)} ms ${label}${errors}`);
    }
    await upstream.time('fixed');
    const ttfb = (await medianTtfb(target, STREAMED_UPSTREAM)) - directTtfb;
    console.log(
      `info  ${standIn.name} instead of the proxy: added p50 ${added.join(', ')}; ` +
        `added time to first byte ${ttfb.toFixed(2)} ms (median of ${TTFB_ROUNDS})`,
    );
  });
}

/** The targets, against a model that takes MODEL_MS ± 50%; then, for information, the lock-step burst. */
function againstModel(): Promise<boolean> {
  return withModel(MODEL_MS, async (upstream, proxy) => {
    const spread = `model ${MODEL_MS / 2}–${(MODEL_MS * 3) / 2} ms`;
    const plain = await directAndProxied(spread, upstream, proxy, false, 'spread');
    const streamed = await directAndProxied(spread, upstream, proxy, true, 'spread');
    printTable([...plain, ...streamed]);
    const passed = [compare('non-streamed', ...plain), compare('streamed', ...streamed)];

    // Sequential calls: one fixed time, so the two medians differ only by what the proxy adds.
    await upstream.time('fixed');
    const ttfb = await addedTtfb(upstream, proxy);
    passed.push(verdict('streamed: added time to first byte <= 2 ms', ttfb.added <= 2, ttfb.detail));
    await standInsAdded(upstream, plain[0], streamed[0], ttfb.direct);

    const lockStep = await directAndProxied(`model always ${MODEL_MS} ms, clients in lock-step`, upstream, proxy, false, 'fixed');
    printTable([...lockStep]);
    console.log(`info  a burst of 50 answers at once: added p50 ${(lockStep[1].p50 - lockStep[0].p50).toFixed(2)} ms, added p99 ${(lockStep[1].p99 - lockStep[0].p99).toFixed(2)} ms`);
    return passed.every(Boolean);
  });
}

/**
 * For information: the CPU time the proxy's process spends per call, beside each stand-in's.
 * Latency on a machine this small is mostly waiting for a core; CPU time is each one's own cost,
 * whatever else runs.
 */
async function printCpuPerCall(upstream: Upstream, proxy: Target, proxyPid: number): Promise<void> {
  const costs: string[] = [];
  const cost = async (label: string, pid: number, target: Target, bodies: [unknown, unknown]) => {
    const [plain, streamed] = [await cpuPerCall(pid, target, bodies[0]), await cpuPerCall(pid, target, bodies[1])];
    if (plain !== undefined && streamed !== undefined) costs.push(`${label} ${plain.toFixed(2)} / ${streamed.toFixed(2)} ms`);
  };
  await cost('proxy', proxyPid, proxy, [QUESTION, STREAMED]);
  await eachStandIn(upstream, (standIn, target, pid) => cost(standIn.name, pid, target, [QUESTION, STREAMED_UPSTREAM]));
  if (costs.length) console.log(`info  CPU time per call, non-streamed / streamed (instant model, ${CPU_CALLS} calls from 10 clients): ${costs.join('; ')}`);
}

/** For information (no target): the proxy's own capacity and cost, against a model that answers at once. */
function againstInstantModel(): Promise<void> {
  return withModel(0, async (upstream, proxy, proxyPid) => {
    printTable([
      await load('direct (instant model)', direct(upstream), QUESTION),
      await load('proxy (instant model)', proxy, QUESTION),
      await load('proxy, streamed (instant model)', proxy, STREAMED),
    ]);
    console.log(`info  streamed, instant model: added time to first byte ${(await addedTtfb(upstream, proxy)).detail}`);
    await printCpuPerCall(upstream, proxy, proxyPid);
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
