import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from './support/http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe('JSON answers', () => {
  it('carry a UTF-8 JSON content type and the byte length of a body with Chinese text', async () => {
    const res = await request(app.url, 'GET', '/api/conversations');
    expect(res.status).toBe(401);
    expect(res.body.message).toMatch(/[\u4e00-\u9fff]/);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(res.text));
    expect(res.headers.get('transfer-encoding')).toBeNull();
  });

  it('keep the security headers and the request id next to the JSON headers', async () => {
    const res = await request(app.url, 'GET', '/healthz');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('etag')).toBeNull();
  });

  it('answer HEAD with the headers of GET and no body', async () => {
    const get = await request(app.url, 'GET', '/healthz');
    const head = await request(app.url, 'HEAD', '/healthz');
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect(head.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(get.text)));
  });
});
