import type { ChatCompletionChunk } from '@bailian-chat/contract';
import { ApiError, ChatStreamError } from './errors.js';
import { readBody } from './read-body.js';
import { sseData } from './sse-data.js';

/** How the server ends a stream that failed midway. */
type ErrorFrame = { error: { message: string; code?: string } };

function isErrorFrame(frame: unknown): frame is ErrorFrame {
  const error = (frame as { error?: { message?: unknown } } | null)?.error;
  return typeof error?.message === 'string';
}

/**
 * The stream's data. A read that fails (the connection broke off: fetch's bare `TypeError:
 * terminated`) is a reply cut short, as a stream that ends without `[DONE]` is; an abort stays
 * the abort the caller asked for.
 */
async function* dataOf(
  body: ReadableStream<Uint8Array>,
  signal: AbortSignal,
  requestId: string | null,
): AsyncGenerator<string, void, undefined> {
  try {
    yield* sseData(body);
  } catch (error) {
    if (signal.aborted) throw error;
    throw new ChatStreamError('the connection broke off before the answer was complete', null, { cause: error, requestId });
  }
}

function parseFrame(data: string, requestId: string | null): unknown {
  try {
    return JSON.parse(data);
  } catch (error) {
    throw new ChatStreamError('the answer stream sent a frame that is not JSON', null, { cause: error, requestId });
  }
}

/**
 * A streamed answer: iterate it for its `chat.completion.chunk` objects. The request starts when
 * iteration does; it is aborted when the caller stops early (break, return, throw), calls
 * `abort()`, or the signal given to `chat.stream` fires. A status other than 200 is thrown as
 * the ApiError for it from the first step of the iteration; a failure after that (an error frame,
 * a broken connection, a body that is not the event stream), as a ChatStreamError.
 */
export class ChatStream implements AsyncIterable<ChatCompletionChunk> {
  readonly controller = new AbortController();
  private started = false;

  constructor(
    private readonly open: (signal: AbortSignal) => Promise<Response>,
    signal?: AbortSignal,
  ) {
    if (signal?.aborted) this.controller.abort(signal.reason);
    signal?.addEventListener('abort', () => this.controller.abort(signal.reason), {
      once: true,
      signal: this.controller.signal,
    });
  }

  abort(reason?: unknown): void {
    this.controller.abort(reason);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ChatCompletionChunk, void, undefined> {
    if (this.started) throw new Error('a ChatStream can be iterated only once');
    this.started = true;
    try {
      const response = await this.open(this.controller.signal);
      if (response.status !== 200 || !response.body) {
        throw ApiError.generate(response.status, await readBody(response), response.headers);
      }
      const requestId = response.headers.get('x-request-id');
      for await (const data of dataOf(response.body, this.controller.signal, requestId)) {
        if (data === '[DONE]') return;
        const frame = parseFrame(data, requestId);
        if (isErrorFrame(frame)) throw new ChatStreamError(frame.error.message, frame.error.code ?? null, { requestId });
        yield frame as ChatCompletionChunk;
      }
      throw new ChatStreamError('the answer stream ended before data: [DONE]', null, { requestId });
    } finally {
      // Ends the request if it is still open (the caller stopped early); harmless after [DONE].
      this.controller.abort();
    }
  }
}
