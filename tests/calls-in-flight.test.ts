import { EventEmitter } from 'node:events';
import type { Response } from 'express';
import { describe, expect, it } from 'vitest';
import { CallsInFlight } from '../server/src/chat/calls-in-flight.js';

/** What CallsInFlight reads of a response: its 'close' event and whether it was sent whole. */
function response(): Response & { closeWith(finished: boolean): void } {
  const res = Object.assign(new EventEmitter(), {
    writableFinished: false,
    closeWith(finished: boolean) {
      res.writableFinished = finished;
      res.emit('close');
    },
  });
  return res as unknown as Response & { closeWith(finished: boolean): void };
}

describe('CallsInFlight', () => {
  it('aborts a call whose client left before its answer was sent whole, and not one that was answered', () => {
    const calls = new CallsInFlight();
    const [left, answered] = [response(), response()];
    const leftCall = calls.open(left);
    const answeredCall = calls.open(answered);
    left.closeWith(false);
    answered.closeWith(true);
    expect(leftCall.signal.reason).toBe('client_aborted');
    expect(answeredCall.signal.aborted).toBe(false);
  });

  it('ends the calls in flight with server_stopping, leaves the finished ones, and ends each later call at once', () => {
    const calls = new CallsInFlight();
    const [running, finished] = [response(), response()];
    const runningCall = calls.open(running);
    const finishedCall = calls.open(finished);
    finished.closeWith(true);
    calls.endAll();
    expect(runningCall.signal.reason).toBe('server_stopping');
    expect(finishedCall.signal.aborted).toBe(false);
    expect(calls.open(response()).signal.reason).toBe('server_stopping');
    // Its client leaving afterwards changes nothing: the first reason is the one recorded.
    running.closeWith(false);
    expect(runningCall.signal.reason).toBe('server_stopping');
  });
});
