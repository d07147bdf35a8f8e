import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@bailian-chat/server';
import { NodeBodyResponse, UpstreamBodyTooLargeError } from '../server/src/chat/node-body-response.js';
import { createNodeHttpFetch } from '../server/src/chat/node-http-fetch.js';
import { mapUpstreamError } from '../server/src/chat/upstream-errors.js';
import { DEFAULT_REPLY, FakeDashScope, HUGE_REPLY_LENGTH } from './support/fake-dashscope.js';

let fake: FakeDashScope;
beforeAll(async () => {
  fake = await FakeDashScope.start();
});
afterAll(() => fake.close());

const fetchUpstream = createNodeHttpFetch(2000);
const question = { model: 'qwen-plus', messages: [{ role: 'user', content: '你好' }] };

function ask(body: unknown = question): Promise<Response> {
  return fetchUpstream(`${fake.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('the fetch the SDK calls DashScope with', () => {
  it('answers status, headers and a body read as JSON, once', async () => {
    const res = await ask();
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe(fake.last.requestId);
    expect(res.bodyUsed).toBe(false);
    expect(((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toBe(DEFAULT_REPLY);
    expect(res.bodyUsed).toBe(true);
    await expect(res.text()).rejects.toThrow(TypeError);
  });

  it('reads a body as bytes or a blob, and refuses to clone rather than answer an empty copy', async () => {
    const bytes = await (await ask()).arrayBuffer();
    expect(JSON.parse(new TextDecoder().decode(bytes)).object).toBe('chat.completion');
    const blob = await (await ask()).blob();
    expect(blob.type).toBe('application/json');
    expect(JSON.parse(await blob.text()).object).toBe('chat.completion');
    const res = await ask();
    expect(() => res.clone()).toThrow(TypeError);
    await res.text();
  });

  it('gives a web stream of the same bytes to a caller that asks for body', async () => {
    const res = await ask({ ...question, stream: true });
    const text = await new Response(res.body).text();
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(res.bodyUsed).toBe(true);
  });

  it('refuses a body over the limit, and the call fails as upstream_too_large', async () => {
    fake.next({ fault: 'huge_body' });
    const res = await ask();
    const capped = new NodeBodyResponse((res as NodeBodyResponse).nodeBody, { status: res.status }, HUGE_REPLY_LENGTH / 2);
    const failure = await capped.text().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(UpstreamBodyTooLargeError);
    expect((res as NodeBodyResponse).nodeBody?.destroyed).toBe(true);
    expect(mapUpstreamError(failure, undefined, createLogger('silent'))).toMatchObject({
      code: 'upstream_too_large',
      error: { status: 503 },
    });
  });
});
