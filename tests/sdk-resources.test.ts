import { NotFoundError, PermissionDeniedError, type Conversation, type Message } from '@bailian-chat/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChatApp, type ChatTestApp } from './support/chat-app.js';
import { sdkUser } from './support/sdk.js';

let app: ChatTestApp;
beforeAll(async () => {
  app = await startChatApp({ CHAT_RATE_LIMIT_PER_MINUTE: '1000' });
});
afterAll(() => app.close());

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

const text = (t: string) => ({ content: [{ type: 'text' as const, text: t }] });

describe('SDK: conversations (§2)', () => {
  it('creates, reads, renames and deletes a conversation', async () => {
    const { client } = await sdkUser(app.url);
    const created = await client.conversations.create({ model_name: 'qwen-vl-max-latest' });
    expect(created).toMatchObject({ title: '新对话', model_name: 'qwen-vl-max-latest', status: 1 });
    expect(await client.conversations.get(created.conversation_id)).toEqual(created);

    const renamed = await client.conversations.update(created.conversation_id, { title: '更新后的对话标题' });
    expect(renamed).toMatchObject({ conversation_id: created.conversation_id, title: '更新后的对话标题' });

    await expect(client.conversations.delete(created.conversation_id)).resolves.toBeUndefined();
    await expect(client.conversations.get(created.conversation_id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists one page, or iterates every page', async () => {
    const { client, sent } = await sdkUser(app.url);
    const made: Conversation[] = [];
    for (let i = 0; i < 5; i += 1) made.push(await client.conversations.create({ title: `对话 ${i}`, model_name: 'qwen-plus' }));
    await client.conversations.create({ title: 'other model', model_name: 'qwen-max' });

    const page = await client.conversations.list({ limit: 2, page: 2, model_name: 'qwen-plus' });
    expect(page.pagination).toEqual({ current_page: 2, per_page: 2, total: 5, total_pages: 3 });

    sent.length = 0;
    const all = await collect(client.conversations.listAll({ limit: 2, model_name: 'qwen-plus' }));
    expect(all.map((c) => c.conversation_id)).toEqual(made.map((c) => c.conversation_id).reverse());
    expect(sent).toEqual([1, 2, 3].map((p) => `GET /api/conversations?limit=2&model_name=qwen-plus&page=${p}`));
  });

  it("refuses another user's conversation with PermissionDeniedError", async () => {
    const owner = await sdkUser(app.url);
    const stranger = await sdkUser(app.url);
    const theirs = await owner.client.conversations.create({ model_name: 'qwen-plus' });
    const peek = stranger.client.conversations.get(theirs.conversation_id);
    await expect(peek).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(peek).rejects.toMatchObject({ status: 403, message: '无权限访问该对话' });
  });
});

describe('SDK: messages (§3)', () => {
  it('sends messages, iterates the history in both orders, stops fetching on break, and deletes', async () => {
    const { client, sent } = await sdkUser(app.url);
    const { conversation_id } = await client.conversations.create({ model_name: 'qwen-plus' });
    const sentMessages: Message[] = [];
    for (let i = 0; i < 5; i += 1) sentMessages.push(await client.messages.send(conversation_id, text(`第 ${i} 条`)));
    expect(sentMessages[0]).toMatchObject({ role: 'user', content_type: 'text', content: text('第 0 条').content });

    const ids = sentMessages.map((m) => m.message_id);
    const oldestFirst = await collect(client.messages.listAll(conversation_id, { limit: 2 }));
    expect(oldestFirst.map((m) => m.message_id)).toEqual(ids);
    const newestFirst = await collect(client.messages.listAll(conversation_id, { limit: 2, order: 'desc' }));
    expect(newestFirst.map((m) => m.message_id)).toEqual([...ids].reverse());

    sent.length = 0;
    for await (const message of client.messages.listAll(conversation_id, { limit: 2 })) {
      if (message.message_id === ids[2]) break;
    }
    expect(sent).toHaveLength(2);

    await client.messages.delete(ids[0]!);
    const left = await client.messages.list(conversation_id);
    expect(left.messages.map((m) => m.message_id)).toEqual(ids.slice(1));
    await expect(client.messages.delete(ids[0]!)).rejects.toMatchObject({ status: 404, message: '消息不存在' });
  });
});

describe('SDK: history (§5)', () => {
  it('pages through the API calls and reads the statistics', async () => {
    const { client } = await sdkUser(app.url);
    const { conversation_id } = await client.conversations.create({ model_name: 'qwen-plus' });
    await client.messages.send(conversation_id, text('你好'));
    for (let i = 0; i < 3; i += 1) {
      await client.chat.completions({ model: 'qwen-plus', messages: [{ role: 'user', content: '你好' }], conversation_id });
    }

    const firstPage = await client.history.apiCalls({ limit: 2 });
    expect(firstPage.pagination).toMatchObject({ total: 3, total_pages: 2 });
    const calls = await collect(client.history.apiCallsAll({ limit: 2, model_name: 'qwen-plus' }));
    expect(calls).toHaveLength(3);
    expect(calls.every((c) => c.api_endpoint === '/api/bailian/chat/completions' && c.status_code === 200)).toBe(true);
    expect(calls.map((c) => c.id)).toEqual([...calls.map((c) => c.id)].sort((a, b) => b - a));

    const stats = await client.history.statistics();
    expect(stats.total_conversations).toBe(1);
    expect(stats.total_messages).toBe(4);
    expect(stats.total_tokens).toBe(calls.reduce((sum, c) => sum + c.total_tokens, 0));
    expect(stats.model_statistics).toEqual([
      { model_name: 'qwen-plus', conversation_count: 1, message_count: 4, token_count: stats.total_tokens },
    ]);
  });

  it('walks each item once while new ones push the pages along', async () => {
    const { client } = await sdkUser(app.url);
    const ask = () => client.chat.completions({ model: 'qwen-plus', messages: [{ role: 'user', content: '你好' }] });
    for (let i = 0; i < 3; i += 1) await ask();
    const calls: number[] = [];
    // Newest first, two a page: a call made after the first page was read moves that page's last
    // call onto the second page.
    for await (const call of client.history.apiCallsAll({ limit: 2 })) {
      if (calls.push(call.id) === 1) await ask();
    }
    expect(calls).toHaveLength(3);
    expect(new Set(calls).size).toBe(3);

    const conversations: number[] = [];
    for (let i = 0; i < 3; i += 1) await client.conversations.create({ model_name: 'qwen-plus' });
    for await (const conversation of client.conversations.listAll({ limit: 2 })) {
      if (conversations.push(conversation.conversation_id) === 1) await client.conversations.create({ model_name: 'qwen-plus' });
    }
    expect(conversations).toHaveLength(3);
    expect(new Set(conversations).size).toBe(3);
  });

  it('refuses a bad date range with BadRequestError', async () => {
    const { client } = await sdkUser(app.url);
    const call = client.history.statistics({ start_date: '2024-02-01', end_date: '2024-01-01' });
    await expect(call).rejects.toMatchObject({ name: 'BadRequestError', status: 400 });
  });
});
