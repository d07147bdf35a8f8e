import { contract } from '@bailian-chat/contract';
import { initServer } from '@ts-rest/express';
import type { Response } from 'express';
import type { Readable } from 'node:stream';
import type { ServiceDeps } from '../deps.js';
import { callerOf } from '../http/auth-middleware.js';
import { jsonBody } from '../http/json-body.js';
import { ok } from '../http/respond.js';
import { callFactsOf, recordApiCalls } from './api-call-recorder.js';
import type { ChatDeps } from './chat-call.js';
import { chatRateLimit } from './chat-rate-limit.js';
import * as chat from './chat-service.js';
import { createDashScopeClient } from './dashscope-client.js';
import { SSE_HEADERS } from './sse-writer.js';

const s = initServer();

/**
 * ts-rest has no SSE: a handler that returns a Stream body gets it piped to the response, which is
 * what a stream of frames needs. The cast is the price of the contract typing the JSON answer only.
 */
function eventStream(res: Response, events: Readable) {
  res.set(SSE_HEADERS);
  return { status: 200 as const, body: events as never };
}

export function chatRoutes(deps: ServiceDeps) {
  const chatDeps: ChatDeps = { ...deps, dashscope: createDashScopeClient(deps.config.dashscope, deps.logger) };
  return s.router(contract.chat, {
    completions: {
      // The recorder comes first so that calls refused by the limit, an unreadable body or
      // validation are recorded too. The limit comes before the body: a caller past it gets no
      // 20 MB parsed, and a 429 is recorded without the model its unread body names.
      middleware: [recordApiCalls(deps), chatRateLimit(deps.config), jsonBody(deps.config.bodyLimit)],
      handler: async ({ body, req, res }) => {
        const call = { userId: callerOf(req).userId, facts: callFactsOf(req), controller: deps.callsInFlight.open(res) };
        const result = await chat.complete(chatDeps, body, call);
        return result.stream ? eventStream(res, result.events) : ok(result.completion, '请求成功');
      },
    },
  });
}
