import type { AddressInfo } from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { usePrebuiltPrototypes } from '../server/src/http/prebuilt-prototypes.js';

describe('requests and responses built on the app’s prototypes', () => {
  it('arrive on the app’s prototypes before Express sees them, and keep both APIs', async () => {
    const app = express();
    usePrebuiltPrototypes(app);
    app.get('/echo', (req, res) => {
      res.status(201).set('x-seen', req.get('x-probe') ?? '').json({ url: req.originalUrl, query: req.query });
    });
    const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const before: boolean[] = [];
    // Runs ahead of Express: what Node built, before Express could move anything.
    server.prependListener('request', (req, res) => {
      before.push(Object.getPrototypeOf(req) === app.request && Object.getPrototypeOf(res) === app.response);
    });
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/echo?a=1`, { headers: { 'x-probe': 'yes' } });
      expect(res.status).toBe(201);
      expect(res.headers.get('x-seen')).toBe('yes');
      expect(await res.json()).toEqual({ url: '/echo?a=1', query: { a: '1' } });
      expect(before).toEqual([true]);
    } finally {
      server.close();
    }
  });
});
