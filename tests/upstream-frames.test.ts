import { APIError } from 'openai';
import { describe, expect, it } from 'vitest';
import { UpstreamBodyTooLargeError } from '../server/src/chat/node-body-response.js';
import { frameBatches } from '../server/src/chat/upstream-frames.js';

/** A streamed upstream answer whose body arrives in exactly these pieces, one read each. */
function answer(pieces: string[]): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const piece = pieces.shift();
      if (piece === undefined) controller.close();
      else controller.enqueue(encoder.encode(piece));
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/event-stream', 'x-request-id': 'req-1' } });
}

async function batchesOf(response: Response): Promise<string[][]> {
  const batches: string[][] = [];
  for await (const batch of frameBatches(response)) batches.push(batch.map((frame) => frame.payload));
  return batches;
}

const chunk = (content: string) => JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content } }] });

describe('frameBatches: the frames of a streamed upstream answer', () => {
  it('relays frames that arrived together in one batch, as the text they came as', async () => {
    const batches = await batchesOf(answer([`data: ${chunk('a')}\n\ndata: ${chunk('b')}\n\n`, `data: ${chunk('c')}\n\ndata: [DONE]\n\n`]));
    // What had arrived by the time of a read is one batch, so the second piece may join the first.
    expect(batches[0]!.slice(0, 2)).toEqual([chunk('a'), chunk('b')]);
    expect(batches.flat()).toEqual([chunk('a'), chunk('b'), chunk('c')]);
  });

  it('waits for a frame cut between reads, and takes \\r\\n line ends', async () => {
    const frame = `data: ${chunk('通义')}\r\n\r\n`;
    const batches = await batchesOf(answer([frame.slice(0, 9), frame.slice(9, frame.length - 1), frame.slice(-1)]));
    expect(batches).toEqual([[chunk('通义')]]);
  });

  it('writes a payload spread over several data: lines as one line', async () => {
    const text = chunk('a');
    const cut = text.indexOf(',') + 1;
    const batches = await batchesOf(answer([`data: ${text.slice(0, cut)}\ndata: ${text.slice(cut)}\n\n`]));
    expect(batches).toEqual([[text]]);
  });

  it('ends at [DONE], whatever follows it', async () => {
    const batches = await batchesOf(answer([`data: ${chunk('a')}\n\ndata: [DONE]\n\ndata: ${chunk('late')}\n\n`, `data: ${chunk('later')}\n\n`]));
    expect(batches).toEqual([[chunk('a')]]);
  });

  it('fails on a payload that is not JSON or not a chunk, and on one that carries an error, as the SDK does', async () => {
    await expect(batchesOf(answer(['data: {"choices": [\n\n']))).rejects.toBeInstanceOf(SyntaxError);
    await expect(batchesOf(answer(['data: null\n\n']))).rejects.toBeInstanceOf(SyntaxError);
    const failure = batchesOf(answer([`data: ${JSON.stringify({ error: { code: 'data_inspection_failed', message: 'no' } })}\n\n`]));
    await expect(failure).rejects.toBeInstanceOf(APIError);
    await expect(failure).rejects.toMatchObject({ status: undefined, code: 'data_inspection_failed', requestID: 'req-1' });
  });

  it('hands out the frames that came before a bad one, then fails', async () => {
    const batches = frameBatches(answer([`data: ${chunk('a')}\n\ndata: ${chunk('b')}\n\ndata: {oops\n\ndata: ${chunk('c')}\n\n`]));
    const first = await batches.next();
    expect(first.value?.map((frame) => frame.payload)).toEqual([chunk('a'), chunk('b')]);
    await expect(batches.next()).rejects.toBeInstanceOf(SyntaxError);
  });

  it('fails on an event that grows past the limit without ending', async () => {
    const endless = answer([`data: ${chunk('a')}\n\ndata: `, 'x'.repeat(600), 'x'.repeat(600)]);
    const batches = frameBatches(endless, 1000);
    expect((await batches.next()).value?.map((frame) => frame.payload)).toEqual([chunk('a')]);
    await expect(batches.next()).rejects.toBeInstanceOf(UpstreamBodyTooLargeError);
  });
});
