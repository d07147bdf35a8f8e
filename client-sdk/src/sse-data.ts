const LINE_END = /\r\n|\r|\n/;

/**
 * The `data` of each event of a `text/event-stream` body (several `data:` lines of one event are
 * joined with `\n`, as EventSource does). Comments and other fields are skipped; an event cut off
 * by the end of the body is dropped, as the SSE spec says.
 */
export async function* sseData(body: ReadableStream<Uint8Array>): AsyncGenerator<string, void, undefined> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      for (let line = nextLine(); line !== undefined; line = nextLine()) {
        if (line === '') {
          if (data.length) yield data.join('\n');
          data = [];
        } else if (line.startsWith('data:')) {
          data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
        }
      }
    }
  } finally {
    reader.releaseLock();
  }

  function nextLine(): string | undefined {
    const match = LINE_END.exec(buffer);
    // A trailing \r may be the first half of a \r\n still on its way.
    if (!match || (match[0] === '\r' && match.index === buffer.length - 1)) return undefined;
    const line = buffer.slice(0, match.index);
    buffer = buffer.slice(match.index + match[0].length);
    return line;
  }
}
