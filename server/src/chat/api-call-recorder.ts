import type { Usage } from '@bailian-chat/contract';
import { contract } from '@bailian-chat/contract';
import type { Request, RequestHandler, Response } from 'express';
import { nowIso } from '../db/clock.js';
import type { ServiceDeps } from '../deps.js';
import { callerOf } from '../http/auth-middleware.js';
import { ErrorCodes } from './upstream-errors.js';

/** What the chat service learns about a call, filled in as it goes and recorded when it ends. */
export interface CallFacts {
  conversationId: number | null;
  messageId: number | null;
  usage: Usage | null;
  upstreamRequestId: string | null;
  errorCode: string | null;
  /** Work that outlives the response's close (a stream relay storing what it got); awaited first. */
  pending: Promise<unknown> | null;
}

/** Status recorded for a call whose client went away before any answer (nginx's convention). */
export const CLIENT_CLOSED_REQUEST = 499;

// Calls refused before the service ran (validation, our rate limit) carry no code of their own.
const CODE_OF_STATUS: Record<number, string> = {
  400: 'invalid_request',
  403: 'forbidden',
  404: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  500: 'internal_error',
  503: 'upstream_unavailable',
};

const factsOfRequest = new WeakMap<Request, CallFacts>();

/** The facts of the call being made by `req` (set up by `recordApiCalls`). */
export function callFactsOf(req: Request): CallFacts {
  const facts = factsOfRequest.get(req);
  if (!facts) throw new Error('chat route reached without recordApiCalls');
  return facts;
}

const clip = (value: string | null, max: number) => (value === null ? null : value.slice(0, max));

function errorCodeOf(facts: CallFacts, res: Response, status: number): string | null {
  if (facts.errorCode) return facts.errorCode;
  if (!res.writableEnded) return ErrorCodes.clientAborted;
  return status >= 400 ? (CODE_OF_STATUS[status] ?? `http_${status}`) : null;
}

async function record(deps: ServiceDeps, req: Request, res: Response, facts: CallFacts, startedAt: string, started: number) {
  await facts.pending;
  const status = res.headersSent ? res.statusCode : CLIENT_CLOSED_REQUEST;
  // The body may have failed validation: keep what it names only if it is the right type.
  const body = (req.body ?? {}) as { model?: unknown; stream?: unknown };
  deps.apiCallWriter.write({
    user_id: callerOf(req).userId,
    conversation_id: facts.conversationId,
    message_id: facts.messageId,
    model_name: typeof body.model === 'string' ? body.model.replaceAll('\u0000', '').slice(0, 100) : '',
    api_endpoint: contract.chat.completions.path,
    status_code: status,
    request_tokens: facts.usage?.prompt_tokens ?? 0,
    response_tokens: facts.usage?.completion_tokens ?? 0,
    total_tokens: facts.usage?.total_tokens ?? 0,
    call_duration: Math.round(performance.now() - started),
    client_ip: clip(req.ip ?? null, 64),
    upstream_request_id: clip(facts.upstreamRequestId, 128),
    stream: body.stream === true ? 1 : 0,
    error_code: clip(errorCodeOf(facts, res, status), 64),
    created_at: startedAt,
  });
}

/**
 * Route middleware, first on the chat route (after authentication): every call is recorded in
 * `api_calls` whatever its outcome — refused by validation or our rate limit, failed upstream,
 * answered, or abandoned by its client. The row is written once the response has closed, off the
 * answer's critical path, with the status the client actually got.
 */
export function recordApiCalls(deps: ServiceDeps): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    const startedAt = nowIso();
    const facts: CallFacts = {
      conversationId: null,
      messageId: null,
      usage: null,
      upstreamRequestId: null,
      errorCode: null,
      pending: null,
    };
    factsOfRequest.set(req, facts);
    // Expected from the start: when a stopping server cuts a connection, its own 'close' comes a
    // phase of the event loop before the response's, and the drain it starts must still wait.
    let recorded!: () => void;
    deps.apiCallWriter.expect(new Promise<void>((resolve) => (recorded = resolve)));
    res.once('close', () => {
      record(deps, req, res, facts, startedAt, started)
        .catch((err: unknown) => deps.logger.error({ err, reqId: req.id }, 'API call not recorded'))
        .finally(recorded);
    });
    next();
  };
}
