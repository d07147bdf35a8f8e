import { SseDataSplitter } from '@bailian-chat/contract';
import { APIError } from 'openai';
import type OpenAI from 'openai';
import type { Readable } from 'node:stream';
import { isChunk } from './completion-presenter.js';
import { MAX_UPSTREAM_BODY_BYTES, readableBodyOf, UpstreamBodyTooLargeError } from './node-body-response.js';

/** One `data:` frame of a streamed completion: the chunk, and the payload text it came as. */
export interface UpstreamFrame {
  chunk: OpenAI.ChatCompletionChunk;
  payload: string;
}

/**
 * The frame of one SSE event, read as the SDK's own stream reads it: JSON, or a SyntaxError; a
 * payload carrying `error` is that error, as an APIError with no status. A payload that is not a
 * chunk whose deltas carry text (isChunk) is malformed too. The payload is passed on as it came unless it spans lines,
 * which a `data:` line of ours could not hold.
 */
function frameOf(data: string, headers: Headers): UpstreamFrame {
  const chunk = JSON.parse(data);
  if (chunk?.error) throw new APIError(undefined, chunk.error, undefined, headers);
  if (!isChunk(chunk)) throw new SyntaxError('a stream frame that is not a chunk');
  return { chunk, payload: data.includes('\n') ? JSON.stringify(chunk) : data };
}

/** The frames of one read's events: up to `[DONE]` (then `done`), or up to a bad one (its `failure`). */
function framesOf(events: string[], headers: Headers): { frames: UpstreamFrame[]; done: boolean; failure?: unknown } {
  const frames: UpstreamFrame[] = [];
  for (const data of events) {
    if (data.startsWith('[DONE]')) return { frames, done: true };
    try {
      frames.push(frameOf(data, headers));
    } catch (failure) {
      return { frames, done: false, failure };
    }
  }
  return { frames, done: false };
}

/** Reads the rest of a body nobody needs; a failure now (the idle timeout, a reset) only loses the connection. */
function drain(body: Readable): void {
  body.on('error', () => {});
  body.resume();
}

/**
 * The frames of a streamed completion (the SDK's `asResponse()` of a `stream: true` call), in
 * batches: each batch is what had arrived when the body was read, so frames that arrived together
 * are relayed together (in one write, one packet). Read straight off the node stream, without the
 * SDK's chain of web streams and async generators, which made up most of the proxy's time to a
 * first byte; the rules are the SDK's (see frameOf), and as with the SDK the frames before a bad
 * one are still handed out before its failure. `[DONE]` ends the frames at once: what upstream
 * sends after it (the end of its chunked body) is drained apart, so that the connection can be
 * kept, and waiting for it would only delay our own end. A failure, or a reader that stops early,
 * destroys the body, which ends the upstream request too. An event that grows past `maxHeld`
 * characters without ending is a failure.
 */
export async function* frameBatches(
  response: Response,
  maxHeld = MAX_UPSTREAM_BODY_BYTES,
): AsyncGenerator<UpstreamFrame[], void, undefined> {
  const body = readableBodyOf(response);
  if (!body) return;
  const splitter = new SseDataSplitter();
  let done = false;
  body.setEncoding('utf8');
  try {
    for await (const text of body.iterator({ destroyOnReturn: false }) as AsyncIterable<string>) {
      const read = framesOf(splitter.push(text), response.headers);
      if (read.frames.length) yield read.frames;
      if ('failure' in read) throw read.failure;
      if (splitter.held > maxHeld) throw new UpstreamBodyTooLargeError(maxHeld);
      done = read.done;
      if (done) break;
    }
    done = true;
  } finally {
    if (done) drain(body);
    else body.destroy();
  }
}
