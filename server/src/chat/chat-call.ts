import type { Logger } from 'pino';
import type { ServiceDeps } from '../deps.js';
import type { CallFacts } from './api-call-recorder.js';
import type { DashScope } from './dashscope-client.js';
import { mapUpstreamError, type UpstreamFailure } from './upstream-errors.js';

/** The service's deps plus the app's one DashScope client. */
export interface ChatDeps extends ServiceDeps {
  dashscope: DashScope;
}

/** One call of the chat endpoint, as the service sees it. */
export interface ChatCall {
  userId: number;
  facts: CallFacts;
  /** Aborts the upstream request when the client goes away; the reason is the call's error code. */
  controller: AbortController;
}

/** Notes a failure on the call's record and hands it back. */
export function noteFailure(call: ChatCall, failure: UpstreamFailure): UpstreamFailure {
  call.facts.errorCode = failure.code;
  call.facts.upstreamRequestId ??= failure.upstreamRequestId;
  return failure;
}

/** Maps an error of the upstream call (see mapUpstreamError) and notes it on the call's record. */
export function upstreamFailure(logger: Logger, call: ChatCall, err: unknown): UpstreamFailure {
  const { signal } = call.controller;
  return noteFailure(call, mapUpstreamError(err, signal.aborted ? String(signal.reason) : undefined, logger));
}
