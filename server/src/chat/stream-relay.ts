import type OpenAI from 'openai';
import { storeAssistantReply } from './assistant-reply.js';
import { type ChatCall, type ChatDeps, noteFailure, upstreamFailure } from './chat-call.js';
import { type AnswerIdentity, presentChunk } from './completion-presenter.js';
import type { SseWriter } from './sse-writer.js';
import { ErrorCodes, unavailable, type UpstreamFailure } from './upstream-errors.js';
import type { UpstreamFrame } from './upstream-frames.js';

type Chunk = OpenAI.ChatCompletionChunk;
type Batches = AsyncIterator<UpstreamFrame[]>;

/** The next batch of frames. Whatever shape a read cut short by an abort ends in, it is a failure. */
export async function nextBatch(batches: Batches, signal: AbortSignal): Promise<IteratorResult<UpstreamFrame[]>> {
  const next = await batches.next();
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

/** Upstream's stream as the relay takes it on: its frames, the first batch already read, and what the answer says of itself. */
export interface UpstreamStream {
  batches: Batches;
  first: IteratorResult<UpstreamFrame[]>;
  identity: AnswerIdentity;
}

/** The payload to relay for `frame`: as upstream wrote it, unless the chunk needed filling in (presentChunk). */
function relayed(frame: UpstreamFrame, chunk: Chunk): string {
  return chunk === frame.chunk ? frame.payload : JSON.stringify(chunk);
}

function errorFrame(failure: UpstreamFailure): string {
  return JSON.stringify({ error: { message: failure.error.message, code: failure.code } });
}

/**
 * Forwards every frame the moment it arrives (those that arrived together in one write), then
 * `data: [DONE]`. A stream that fails after the first frame can no longer change its status: it
 * ends with an OpenAI-style error frame instead of `[DONE]`. What was produced is stored (status 2
 * when cut off) before the last frame, so a client that reloads the conversation on `[DONE]` finds
 * the reply.
 */
export async function relayStream(
  deps: ChatDeps,
  call: ChatCall,
  { batches, first, identity }: UpstreamStream,
  sse: SseWriter,
): Promise<void> {
  const reply = new StreamedReply(call);
  let failure: UpstreamFailure | null = null;
  try {
    for (let next = first; !next.done; next = await nextBatch(batches, call.controller.signal)) {
      const payloads = next.value.map((frame) => {
        const chunk = presentChunk(frame.chunk, identity);
        reply.add(chunk);
        return relayed(frame, chunk);
      });
      await sse.data(payloads);
    }
    if (!reply.finished) failure = noteFailure(call, unavailable(ErrorCodes.truncated));
  } catch (err) {
    failure = upstreamFailure(deps.logger, call, err);
    // A failure of ours (not of the read) leaves the frames unfinished: ending them drops upstream.
    void batches.return?.(undefined);
  }
  try {
    if (call.facts.conversationId !== null) {
      await storeAssistantReply(deps, call.facts.conversationId, reply.text, failure === null);
    }
  } finally {
    if (failure?.code === ErrorCodes.clientAborted) sse.discard();
    else sse.end(failure ? errorFrame(failure) : '[DONE]');
  }
}
