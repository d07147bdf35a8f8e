import {
  BadRequestError,
  ChatStreamError,
  RateLimitError,
  ServiceUnavailableError,
  createClient,
  type ChatCompletionChunk,
} from '@bailian-chat/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messagesOf, startChatApp, type ChatTestApp } from './support/chat-app.js';
import { eventually } from './support/eventually.js';
import { DEFAULT_REPLY, fakeUsage, streamPieces } from './support/fake-dashscope.js';
import { claimsOf, signHs } from './support/jwt-forge.js';
import { sdkUser } from './support/sdk.js';
import { TEST_JWT_SECRET, startTestApp } from './support/test-app.js';

const question = { model: 'qwen-plus', messages: [{ role: 'user' as const, content: '讲个故事' }] };

const textOf = (chunks: ChatCompletionChunk[]) => chunks.flatMap((c) => c.choices).map((c) => c.delta.content ?? '').join('');

let app: ChatTestApp;
beforeAll(async () => {
  app = await startChatApp({ CHAT_RATE_LIMIT_PER_MINUTE: '1000' });
});
afterAll(() => app.close());

describe('SDK: chat (§4) against the real server and a fake DashScope', () => {
  it('answers a whole completion with its text as content parts', async () => {
    const { client } = await sdkUser(app.url);
    const completion = await client.chat.completions(question);
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]!.message.content).toEqual([{ type: 'text', text: DEFAULT_REPLY }]);
    expect(app.fake.last.body.stream).toBeFalsy();
  });

  it('streams the answer as chunk objects, usage last, and stores it in the conversation', async () => {
    const { client } = await sdkUser(app.url);
    const conversation = await client.conversations.create({ model_name: 'qwen-plus' });
    await client.messages.send(conversation.conversation_id, { content: [{ type: 'text', text: '讲个故事' }] });

    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of client.chat.stream({ ...question, conversation_id: conversation.conversation_id })) {
      chunks.push(chunk);
    }
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    expect(textOf(chunks)).toBe(DEFAULT_REPLY);
    expect(chunks.at(-1)!.usage).toEqual(fakeUsage(app.fake.last.body, DEFAULT_REPLY));

    const history = await client.messages.list(conversation.conversation_id);
    expect(history.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(history.messages[1]!.content).toEqual([{ type: 'text', text: DEFAULT_REPLY }]);
  });

  it('aborts the request when the caller stops iterating', async () => {
    const { client } = await sdkUser(app.url);
    const conversation = await client.conversations.create({ model_name: 'qwen-plus' });
    app.fake.next({ fault: 'stall_mid_stream' });
    const stream = client.chat.stream({ ...question, conversation_id: conversation.conversation_id });
    let seen = 0;
    for await (const chunk of stream) {
      seen += 1;
      if (chunk.choices[0]?.delta.content) break;
    }
    expect(seen).toBe(2);
    expect(stream.controller.signal.aborted).toBe(true);
    // The server saw us leave: it aborted upstream and kept the partial reply as incomplete.
    await eventually(() => expect(app.fake.last.aborted).toBe(true));
    const stored = await eventually(async () => {
      const rows = await messagesOf(app.db, conversation.conversation_id);
      expect(rows).toHaveLength(1);
      return rows[0]!;
    });
    expect(stored.status).toBe(2);
  });

  it('aborts the request when the signal fires, ending the iteration with the abort', async () => {
    const { client } = await sdkUser(app.url);
    app.fake.next({ fault: 'stall_mid_stream' });
    const controller = new AbortController();
    const chunks: ChatCompletionChunk[] = [];
    const reading = (async () => {
      for await (const chunk of client.chat.stream(question, { signal: controller.signal })) {
        chunks.push(chunk);
        if (textOf(chunks) === streamPieces(DEFAULT_REPLY).slice(0, 2).join('')) controller.abort();
      }
    })();
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
    await eventually(() => expect(app.fake.last.aborted).toBe(true));
  });

  it('throws the status error from the iteration when the server refuses the request', async () => {
    const { client } = await sdkUser(app.url);
    const upstreamCalls = app.fake.requests.length;
    const reading = (async () => {
      for await (const _ of client.chat.stream({ ...question, temperature: 5 })) {
        // never reached: the body is refused before anything streams
      }
    })();
    await expect(reading).rejects.toBeInstanceOf(BadRequestError);
    await expect(reading).rejects.toMatchObject({ data: { errors: [expect.objectContaining({ field: 'temperature' })] } });
    expect(app.fake.requests.length).toBe(upstreamCalls);
  });

  it('throws RateLimitError when upstream limits us before the first frame (and retries are off)', async () => {
    const { client } = await sdkUser(app.url, { maxRetries: 0 });
    app.fake.next({ error: 'limit_requests' });
    const chunks: ChatCompletionChunk[] = [];
    const reading = (async () => {
      for await (const chunk of client.chat.stream(question)) chunks.push(chunk);
    })();
    await expect(reading).rejects.toBeInstanceOf(RateLimitError);
    expect(chunks).toEqual([]);
  });

  it('throws ChatStreamError with the server code when the stream breaks after it began', async () => {
    const { client } = await sdkUser(app.url);
    app.fake.next({ fault: 'reset_mid_stream' });
    const chunks: ChatCompletionChunk[] = [];
    const reading = (async () => {
      for await (const chunk of client.chat.stream(question)) chunks.push(chunk);
    })();
    await expect(reading).rejects.toBeInstanceOf(ChatStreamError);
    // The id the server logged the failed call under, to quote to whoever runs it.
    await expect(reading).rejects.toMatchObject({ code: 'upstream_reset', message: '百炼API服务不可用', requestId: expect.any(String) });
    expect(textOf(chunks)).toBe(streamPieces(DEFAULT_REPLY).slice(0, 2).join(''));
  });

  it('refreshes an expired access token before streaming', async () => {
    const { login, userId } = await sdkUser(app.url);
    const now = Math.floor(Date.now() / 1000);
    const stale = signHs({ ...claimsOf(login.access_token), iat: now - 120, exp: now - 60 }, TEST_JWT_SECRET);
    const client = createClient({ baseUrl: app.url, accessToken: stale, refreshToken: login.refresh_token });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of client.chat.stream(question)) chunks.push(chunk);
    expect(textOf(chunks)).toBe(DEFAULT_REPLY);
    expect((await client.auth.me()).user_id).toBe(userId);
  });
});

describe('SDK: chat without DASHSCOPE_API_KEY', () => {
  it('throws ServiceUnavailableError from both the whole and the streamed call', async () => {
    const bare = await startTestApp();
    try {
      const { client } = await sdkUser(bare.url);
      await expect(client.chat.completions(question)).rejects.toBeInstanceOf(ServiceUnavailableError);
      const reading = (async () => {
        for await (const _ of client.chat.stream(question)) {
          // never reached
        }
      })();
      await expect(reading).rejects.toMatchObject({ status: 503, code: 503 });
    } finally {
      await bare.close();
    }
  });
});
