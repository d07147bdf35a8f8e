import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from './support/http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

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
});
