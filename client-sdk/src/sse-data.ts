import { SseDataSplitter } from '@bailian-chat/contract';

/**
 * The `data` of each event of a `text/event-stream` body (see SseDataSplitter); an event cut off
 * by the end of the body is dropped, as the SSE spec says.
 */
export async function* sseData(body: ReadableStream<Uint8Array>): AsyncGenerator<string, void, undefined> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const splitter = new SseDataSplitter();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      yield* splitter.push(decoder.decode(value, { stream: true }));
    }
  } finally {
    reader.releaseLock();
  }
}
