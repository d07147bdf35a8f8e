import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Response } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { CallsInFlight } from '../server/src/chat/calls-in-flight.js';

let server: http.Server | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
});

/**
 * A real response for each request to a server on port 0: `request()` sends one and resolves with
 * the server's response and the client's request (to leave with), once the server has it.
 */
async function responses() {
  const arrived: http.ServerResponse[] = [];
  server = http.createServer((_req, res) => void arrived.push(res));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return async () => {
    const client = http.request({ port, host: '127.0.0.1', agent: false });
    client.on('error', () => {});
    client.end();
    await once(server!, 'request');
    return { res: arrived.at(-1) as unknown as Response, client };
  };
}

/** Resolves once `controller` is aborted, with its reason. */
const reasonOf = (controller: AbortController) =>
  controller.signal.aborted
    ? Promise.resolve(controller.signal.reason)
    : once(controller.signal, 'abort').then(() => controller.signal.reason);

/** Two calls opened on real responses: one still running, one answered whole. */
async function runningAndAnswered() {
  const request = await responses();
  const calls = new CallsInFlight();
  const running = await request();
  const answered = await request();
  const runningCall = calls.open(running.res);
  const answeredCall = calls.open(answered.res);
  const finished = once(answered.res, 'finish');
  answered.res.end('ok');
  await finished;
  return { request, calls, running, runningCall, answeredCall };
}

describe('CallsInFlight', () => {
  it('aborts a call whose client left before its answer was sent whole, and not one that was answered', async () => {
    const { running, runningCall, answeredCall } = await runningAndAnswered();
    running.client.destroy();
    expect(await reasonOf(runningCall)).toBe('client_aborted');
    expect(answeredCall.signal.aborted).toBe(false);
  });

  it('aborts a call whose client had already left when it was opened', async () => {
    const request = await responses();
    const { res, client } = await request();
    client.destroy();
    await once(res, 'close');
    expect(await reasonOf(new CallsInFlight().open(res))).toBe('client_aborted');
  });

  it('ends the calls in flight with server_stopping, leaves the answered ones, and ends each later call at once', async () => {
    const { request, calls, running, runningCall, answeredCall } = await runningAndAnswered();
    calls.endAll();
    expect(runningCall.signal.reason).toBe('server_stopping');
    expect(answeredCall.signal.aborted).toBe(false);
    expect(calls.open((await request()).res).signal.reason).toBe('server_stopping');
    // Its client leaving afterwards changes nothing: the first reason is the one recorded.
    const closed = once(running.res, 'close');
    running.client.destroy();
    await closed;
    expect(runningCall.signal.reason).toBe('server_stopping');
  });
});
