// Runs in a worker thread, so the load generator has a core of its own and the server under test
// keeps the main thread to itself: what we measure is the server, not autocannon sharing its loop.
// Plain JavaScript because worker threads do not inherit the tsx loader that runs the bench.
import { parentPort, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';

/** The nearest-rank percentile `p` (0–100) of `sorted` (ascending). */
function percentile(sorted, p) {
  if (!sorted.length) return undefined;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** One autocannon run; `onResponse` sees every response's status and latency. */
function drive(options, onResponse) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (err, res) => (err ? reject(err) : resolve(res)));
    if (onResponse) instance.on('response', (_client, statusCode, _bytes, ms) => onResponse(statusCode, ms));
  });
}

// Long enough for the JIT to settle on the server's hot paths, so neither target is measured cold.
const WARM_UP_SECONDS = 1;

async function run(request) {
  // autocannon's histogram counts whole milliseconds and has no p95: the percentiles are taken from
  // every 2xx latency as measured (fractions of a millisecond included) instead.
  const latencies = [];
  const options = {
    url: request.url,
    method: request.method,
    headers: request.headers,
    body: request.body,
    connections: request.connections,
    duration: request.durationSeconds,
  };
  await drive({ ...options, duration: WARM_UP_SECONDS });
  const raw = await drive(options, (statusCode, ms) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(ms);
  });
  // Off the main thread autocannon hands back its raw histograms; aggregate them as it would.
  const result = autocannon.aggregateResult([raw], options);
  latencies.sort((a, b) => a - b);
  return {
    requestsPerSecond: result.requests.total / result.duration,
    p50: percentile(latencies, 50) ?? Infinity,
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99) ?? Infinity,
    errors: result.errors + result.non2xx,
  };
}

run(workerData).then(
  (result) => parentPort.postMessage({ result }),
  (err) => parentPort.postMessage({ error: String(err) }),
);
