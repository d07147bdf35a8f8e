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
 * A streamed answer: iterate it for its `chat.completion.chunk` objects. The request starts when
 * iteration does; it is aborted when the caller stops early (break, return, throw), calls
 * `abort()`, or the signal given to `chat.stream` fires. A status other than 200 is thrown as
 * the ApiError for it from the first step of the iteration; a failure after that, as a
 * ChatStreamError.
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
      for await (const data of sseData(response.body)) {
        if (data === '[DONE]') return;
        const frame: unknown = JSON.parse(data);
        if (isErrorFrame(frame)) throw new ChatStreamError(frame.error.message, frame.error.code ?? null);
        yield frame as ChatCompletionChunk;
      }
      throw new ChatStreamError('the answer stream ended before data: [DONE]', null);
    } finally {
      // Ends the request if it is still open (the caller stopped early); harmless after [DONE].
      this.controller.abort();
    }
  }
}
