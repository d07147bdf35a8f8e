import { ChatStreamError, createClient, type ChatCompletionChunk } from '@bailian-chat/client';
import { describe, expect, it } from 'vitest';

const question = { model: 'qwen-plus', messages: [{ role: 'user' as const, content: '你好' }] };

/**
 * A fetch whose every answer is a 200 event stream delivered in exactly these byte pieces; an
 * Error among them breaks the body off there, as a dropped connection does.
 */
function streaming(pieces: (string | Uint8Array | Error)[]): typeof fetch {
  return async (_input, init) => {
    if (init?.signal?.aborted) throw init.signal.reason;
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const piece of pieces) {
          if (piece instanceof Error) return controller.error(piece);
          controller.enqueue(typeof piece === 'string' ? encoder.encode(piece) : piece);
        }
        controller.close();
      },
    });
    return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  };
}

function chunk(content: string): ChatCompletionChunk {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'qwen-plus',
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
  };
}

async function collect(fetchImpl: typeof fetch): Promise<ChatCompletionChunk[]> {
  const client = createClient({ baseUrl: 'http://api.test', accessToken: 'token', fetch: fetchImpl });
  const chunks: ChatCompletionChunk[] = [];
  for await (const c of client.chat.stream(question)) chunks.push(c);
  return chunks;
}

describe('SDK: reading the event stream', () => {
  it('reassembles frames however the bytes are cut: inside a character, between \\r and \\n', async () => {
    const text = `data: ${JSON.stringify(chunk('通义千问'))}\r\n\r\ndata: ${JSON.stringify(chunk('你好'))}\n\ndata: [DONE]\n\n`;
    const bytes = new TextEncoder().encode(text);
    const cuts = [3, 17, bytes.indexOf(0xe9) + 1, bytes.indexOf(0x0d) + 1, bytes.length - 4];
    const pieces = [0, ...cuts].map((from, i) => bytes.slice(from, cuts[i] ?? bytes.length));
    expect(await collect(streaming(pieces))).toEqual([chunk('通义千问'), chunk('你好')]);
  });

  it('skips comments and other fields, joins multi-line data, and takes data: without a space', async () => {
    const json = JSON.stringify(chunk('a'));
    const [head, tail] = [json.slice(0, json.indexOf(',') + 1), json.slice(json.indexOf(',') + 1)];
    const frames = [
      ': keep-alive\n\n',
      'event: message\nid: 7\nretry: 1000\n',
      `data: ${head}\ndata:${tail}\n\n`,
      `data:${JSON.stringify(chunk('b'))}\n\n`,
      'data: [DONE]\n\n',
    ];
    const chunks = await collect(streaming(frames));
    // The two data lines of one event are one JSON text joined by a newline, which JSON allows.
    expect(chunks).toEqual([chunk('a'), chunk('b')]);
  });

  it('stops at [DONE] and ignores anything after it', async () => {
    const frames = [`data: ${JSON.stringify(chunk('a'))}\n\n`, 'data: [DONE]\n\n', 'data: not json\n\n'];
    expect(await collect(streaming(frames))).toEqual([chunk('a')]);
  });

  it('throws ChatStreamError when the stream ends without [DONE]', async () => {
    const frames = [`data: ${JSON.stringify(chunk('a'))}\n\n`, `data: ${JSON.stringify(chunk('b'))}`];
    await expect(collect(streaming(frames))).rejects.toBeInstanceOf(ChatStreamError);
  });

  it('throws ChatStreamError, with the network error as its cause, when the connection breaks off', async () => {
    // undici's error for a socket closed mid-body.
    const terminated = new TypeError('terminated', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
    const frames = [`data: ${JSON.stringify(chunk('a'))}\n\n`, terminated];
    const error = await collect(streaming(frames)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChatStreamError);
    expect(error).toMatchObject({ code: null, message: 'the connection broke off before the answer was complete', cause: terminated });
  });

  it('throws ChatStreamError for a frame that is not JSON', async () => {
    const frames = [`data: ${JSON.stringify(chunk('a'))}\n\n`, 'data: <html>\n\n', 'data: [DONE]\n\n'];
    await expect(collect(streaming(frames))).rejects.toBeInstanceOf(ChatStreamError);
  });

  it('can be iterated once, and not at all once aborted', async () => {
    const client = createClient({ baseUrl: 'http://api.test', accessToken: 'token', fetch: streaming(['data: [DONE]\n\n']) });
    const stream = client.chat.stream(question);
    for await (const _ of stream) {
      // empty answer
    }
    await expect(stream[Symbol.asyncIterator]().next()).rejects.toThrow(/only once/);

    const aborted = client.chat.stream(question);
    aborted.abort();
    await expect(aborted[Symbol.asyncIterator]().next()).rejects.toMatchObject({ name: 'AbortError' });
  });
});
