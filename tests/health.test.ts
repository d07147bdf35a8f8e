import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdConnection } from './support/hold-connections.js';
import { request } from './support/http.js';
import { silentDatabase } from './support/silent-database.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

/** A GET that gives up after 5 s (a hang fails the test rather than holding it), and how long it took. */
async function timedGet(base: string, path: string): Promise<{ status: number; body: any; ms: number }> {
  const started = performance.now();
  const res = await fetch(base + path, { signal: AbortSignal.timeout(5_000) });
  const body = await res.json();
  return { status: res.status, body, ms: performance.now() - started };
}

describe('health endpoints', () => {
  it('answers /healthz in the envelope', async () => {
    const res = await request(app.url, 'GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ code: 200, message: 'ok', data: { status: 'ok' } });
  });

  it('answers /readyz when the database is reachable', async () => {
    const res = await request(app.url, 'GET', '/readyz');
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ status: 'ready' });
  });

  it('answers /readyz 503 within READYZ_TIMEOUT_MS while every connection is held, 200 once one is free', async () => {
    // A pool of one on PostgreSQL; SQLite has one connection whatever DATABASE_POOL_MAX says.
    const busy = await startTestApp({ DATABASE_POOL_MAX: '1', READYZ_TIMEOUT_MS: '300' });
    const hold = await holdConnection(busy);
    try {
      const notReady = await timedGet(busy.url, '/readyz');
      expect(notReady.status).toBe(503);
      expect(notReady.body).toEqual({ code: 503, message: '数据库不可用', data: null });
      expect(notReady.ms).toBeGreaterThanOrEqual(250);
      expect(notReady.ms).toBeLessThan(2_000);
      // Liveness does not ask the database: a held pool is no reason to restart the process.
      expect((await timedGet(busy.url, '/healthz')).status).toBe(200);
      await hold.release();
      const ready = await timedGet(busy.url, '/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body.data).toEqual({ status: 'ready' });
    } finally {
      await hold.release();
      await busy.close();
    }
  });

  it('answers /readyz 503 before a 1 s probe gives up when the database server does not answer', async () => {
    const silent = await silentDatabase();
    // No migrations: they would wait for the silent server too. READYZ_TIMEOUT_MS is the default.
    const down = await startTestApp({ DATABASE_URL: silent.url }, undefined, { migrate: false });
    try {
      const notReady = await timedGet(down.url, '/readyz');
      expect(notReady.status).toBe(503);
      expect(notReady.body).toEqual({ code: 503, message: '数据库不可用', data: null });
      // Kubernetes' readiness probe waits 1 s by default (timeoutSeconds).
      expect(notReady.ms).toBeLessThan(1_000);
      expect((await timedGet(down.url, '/healthz')).status).toBe(200);
    } finally {
      // Closed first: the connection pg is still opening to it fails at once, and the pool can end.
      await silent.close();
      await down.close();
    }
  });
});
