import type OpenAI from 'openai';
import { storeAssistantReply } from './assistant-reply.js';
import { type ChatCall, type ChatDeps, noteFailure, upstreamFailure } from './chat-call.js';
import type { SseWriter } from './sse-writer.js';
import { ErrorCodes, unavailable, type UpstreamFailure } from './upstream-errors.js';

type Chunk = OpenAI.ChatCompletionChunk;

/** The next chunk. The SDK ends an aborted stream quietly; here an abort is a failure like any other. */
export async function nextChunk(chunks: AsyncIterator<Chunk>, signal: AbortSignal): Promise<IteratorResult<Chunk>> {
  const next = await chunks.next();
  if (signal.aborted) throw signal.reason;
  return next;
}

/** The reply as it streams by: its text, whether upstream said it was finished, its usage. */
class StreamedReply {
  text = '';
  finished = false;

  constructor(private readonly call: ChatCall) {}

  add(chunk: Chunk): void {
    if (chunk.usage) this.call.facts.usage = chunk.usage;
    for (const choice of chunk.choices ?? []) {
      if (choice.index !== 0) continue;
      if (choice.delta?.content) this.text += choice.delta.content;
      if (choice.finish_reason) this.finished = true;
    }
  }
}

function errorFrame(failure: UpstreamFailure): string {
  return JSON.stringify({ error: { message: failure.error.message, code: failure.code } });
}

/**
 * Forwards every chunk as a `data:` frame the moment it arrives, then `data: [DONE]`. A stream
 * that fails after the first frame can no longer change its status: it ends with an OpenAI-style
 * error frame instead of `[DONE]`. What was produced is stored (status 2 when cut off) before
 * the last frame, so a client that reloads the conversation on `[DONE]` finds the reply.
 */
export async function relayStream(
  deps: ChatDeps,
  call: ChatCall,
  chunks: AsyncIterator<Chunk>,
  first: IteratorResult<Chunk>,
  sse: SseWriter,
): Promise<void> {
  const reply = new StreamedReply(call);
  let failure: UpstreamFailure | null = null;
  try {
    for (let next = first; !next.done; next = await nextChunk(chunks, call.controller.signal)) {
      reply.add(next.value);
      await sse.data(JSON.stringify(next.value));
    }
    if (!reply.finished) failure = noteFailure(call, unavailable(ErrorCodes.truncated));
  } catch (err) {
    failure = upstreamFailure(deps.logger, call, err);
  }
  try {
    if (call.facts.conversationId !== null) {
      await storeAssistantReply(deps.db, call.facts.conversationId, reply.text, failure === null);
    }
  } finally {
    if (failure?.code === ErrorCodes.clientAborted) sse.discard();
    else sse.end(failure ? errorFrame(failure) : '[DONE]');
  }
}
