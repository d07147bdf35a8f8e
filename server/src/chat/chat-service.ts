import { type ChatCompletion, type ChatCompletionBody, Messages } from '@bailian-chat/contract';
import type OpenAI from 'openai';
import type { Readable } from 'node:stream';
import { requireOwnConversation } from '../conversations/conversation-access.js';
import { ServiceUnavailableError } from '../http/errors.js';
import { latestUserMessageId } from '../messages/messages-repository.js';
import { assertModelAllowed } from '../models/models-service.js';
import { storeAssistantReply } from './assistant-reply.js';
import { type ChatCall, type ChatDeps, noteFailure, upstreamFailure } from './chat-call.js';
import { answerIdentity, isCompletion, presentCompletion } from './completion-presenter.js';
import { upstreamParams } from './dashscope-client.js';
import { SseWriter } from './sse-writer.js';
import { nextBatch, relayStream } from './stream-relay.js';
import { frameBatches } from './upstream-frames.js';
import { ErrorCodes, unavailable } from './upstream-errors.js';

export type ChatResult = { stream: false; completion: ChatCompletion } | { stream: true; events: Readable };

/** Runs one step of the upstream call; whatever it throws becomes our mapped error, noted on the call. */
async function upstream<T>(deps: ChatDeps, call: ChatCall, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    throw upstreamFailure(deps.logger, call, err).error;
  }
}

async function completeOnce(
  deps: ChatDeps,
  client: OpenAI,
  params: OpenAI.ChatCompletionCreateParamsNonStreaming,
  call: ChatCall,
): Promise<ChatCompletion> {
  const completion = await upstream(deps, call, async () => {
    const { data, request_id } = await client.chat.completions
      .create(params, { signal: call.controller.signal })
      .withResponse();
    call.facts.upstreamRequestId = request_id;
    // A 200 whose body is not a completion is as broken as one that is not JSON.
    if (!isCompletion(data)) throw new SyntaxError('DashScope answered something that is not a completion');
    return data;
  });
  const presented = presentCompletion(completion, answerIdentity(params.model, call.facts.upstreamRequestId));
  call.facts.usage = presented.usage ?? null;
  if (call.facts.conversationId !== null) {
    await storeAssistantReply(deps, call.facts.conversationId, completion.choices[0]?.message.content ?? '', true);
  }
  return presented;
}

/**
 * Opens the upstream stream and waits for its first frames before answering: until then a failure
 * (upstream 4xx/5xx, timeout, reset, garbage) is still answered with our JSON envelope and status.
 */
async function openStream(
  deps: ChatDeps,
  client: OpenAI,
  params: OpenAI.ChatCompletionCreateParamsNonStreaming,
  call: ChatCall,
): Promise<Readable> {
  const { signal } = call.controller;
  const response = await upstream(deps, call, () =>
    client.chat.completions
      // Without include_usage upstream never says how many tokens a streamed call used.
      .create({ ...params, stream: true, stream_options: { include_usage: true } }, { signal })
      .asResponse(),
  );
  call.facts.upstreamRequestId = response.headers.get('x-request-id');
  const batches = frameBatches(response);
  const first = await upstream(deps, call, () => nextBatch(batches, signal));
  // A 200 that ends before its first frame (an empty body, a bare `[DONE]`, a body with no `data:`
  // line) has answered nothing: the status can still say so.
  if (first.done) throw noteFailure(call, unavailable(ErrorCodes.truncated)).error;
  const sse = new SseWriter(signal);
  const identity = answerIdentity(params.model, call.facts.upstreamRequestId);
  call.facts.pending = relayStream(deps, call, { batches, first, identity }, sse).catch((err: unknown) =>
    deps.logger.error({ err }, 'streamed reply not stored'),
  );
  return sse.stream;
}

/** Spec §4.1: checks the request, links it to the caller's conversation, and calls DashScope. */
export async function complete(deps: ChatDeps, body: ChatCompletionBody, call: ChatCall): Promise<ChatResult> {
  assertModelAllowed(deps.config, body.model, 'model');
  if (body.conversation_id !== undefined) {
    await requireOwnConversation(deps.db, call.userId, body.conversation_id);
    call.facts.conversationId = body.conversation_id;
    call.facts.messageId = await latestUserMessageId(deps.db, body.conversation_id);
  }
  if (!deps.dashscope) {
    call.facts.errorCode = ErrorCodes.apiKeyMissing;
    throw new ServiceUnavailableError(Messages.apiKeyMissing);
  }
  const params = upstreamParams(body);
  if (body.stream) return { stream: true, events: await openStream(deps, deps.dashscope, params, call) };
  return { stream: false, completion: await completeOnce(deps, deps.dashscope, params, call) };
}
