import type { Usage } from '@bailian-chat/contract';
import { contract } from '@bailian-chat/contract';
import type { Request, RequestHandler, Response } from 'express';
import onFinished from 'on-finished';
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

/** The largest value of an integer column on PostgreSQL. */
const MAX_INTEGER_COLUMN = 2 ** 31 - 1;

/**
 * A token count as upstream's usage gives it, if it is one a column holds: garbage there (a string,
 * an object, 1e300) would fail the whole batch of records it is written with.
 */
function tokenCount(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_INTEGER_COLUMN ? value : 0;
}

/**
 * The model a refused body names, as a column can hold it: no NUL, at most 100 UTF-16 units, and
 * valid Unicode (the cut may split a pair; the body may have been refused for a lone surrogate).
 */
const storableName = (model: string) => model.replaceAll('\u0000', '').slice(0, 100).toWellFormed();

function errorCodeOf(facts: CallFacts, res: Response, status: number): string | null {
  if (facts.errorCode) return facts.errorCode;
  // No status sent (whatever became of the response since) or not all of the answer: the client left.
  if (status === CLIENT_CLOSED_REQUEST || !res.writableEnded) return ErrorCodes.clientAborted;
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
    model_name: typeof body.model === 'string' ? storableName(body.model) : '',
    api_endpoint: contract.chat.completions.path,
    status_code: status,
    request_tokens: tokenCount(facts.usage?.prompt_tokens),
    response_tokens: tokenCount(facts.usage?.completion_tokens),
    total_tokens: tokenCount(facts.usage?.total_tokens),
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
 * answered, or abandoned by its client. The row is written once the response is done with, off
 * the answer's critical path, with the status the client actually got.
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
    // onFinished, not a 'close' listener: the client may have left while authentication awaited
    // the database, and a listener added after the event would wait (and hold the drain) forever.
    onFinished(res, () => {
      record(deps, req, res, facts, startedAt, started)
        .catch((err: unknown) => deps.logger.error({ err, reqId: req.id }, 'API call not recorded'))
        .finally(recorded);
    });
    next();
  };
}
