import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countStoredMessages, createConversation } from './support/conversations.js';
import { expectFieldErrors } from './support/envelope.js';
import { createAccount, request, type Account } from './support/http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let app: TestApp;
let alice: Account;
let conversationId: number;
let updatedAt: string;

beforeAll(async () => {
  app = await startTestApp();
  alice = await createAccount(app.url, 'alice');
  const conversation = await createConversation(app.url, alice.accessToken);
  conversationId = conversation.conversation_id;
  updatedAt = conversation.updated_at;
});
afterAll(() => app.close());

const TEN_MB = 10 * 1024 * 1024;
const text = (t: string) => ({ type: 'text', text: t });
const image = (url: string) => ({ type: 'image_url', image_url: { url } });
const video = (url: string) => ({ type: 'video_url', video_url: { url } });
/** A base64 data URL whose payload decodes to exactly `bytes` bytes. */
const dataUrl = (mime: string, bytes: number) => `data:${mime};base64,${Buffer.alloc(bytes).toString('base64')}`;

function send(body: unknown, id = conversationId) {
  return request(app.url, 'POST', `/api/conversations/${id}/messages`, { token: alice.accessToken, body });
}


describe('message content validation', () => {
  it.each([
    ['no content', {}, 'content'],
    ['content that is not an array', { content: 'hello' }, 'content'],
    ['an empty array', { content: [] }, 'content'],
    ['21 parts', { content: Array.from({ length: 21 }, (_, i) => text(`p${i}`)) }, 'content'],
    ['an unknown part type', { content: [{ type: 'audio_url', audio_url: { url: 'https://example.com/a.mp3' } }] }, 'content.0.type'],
    ['a text part without text', { content: [{ type: 'text' }] }, 'content.0.text'],
    ['an empty text', { content: [text('')] }, 'content.0.text'],
    ['a 100,001-character text', { content: [text('x'.repeat(100_001))] }, 'content.0.text'],
    ['a 100,001-character text of emoji', { content: [text('😀'.repeat(100_001))] }, 'content.0.text'],
    ['an image part without image_url', { content: [{ type: 'image_url' }] }, 'content.0.image_url'],
    ['an image part without url', { content: [{ type: 'image_url', image_url: {} }] }, 'content.0.image_url.url'],
    ['a video part without url', { content: [{ type: 'video_url', video_url: {} }] }, 'content.0.video_url.url'],
    ['a javascript: URL', { content: [image('javascript:alert(1)')] }, 'content.0.image_url.url'],
    ['an ftp: URL', { content: [video('ftp://example.com/a.mp4')] }, 'content.0.video_url.url'],
    ['a data: URL of a video for an image', { content: [image(dataUrl('video/mp4', 16))] }, 'content.0.image_url.url'],
    ['a data: URL of an image for a video', { content: [video(dataUrl('image/png', 16))] }, 'content.0.video_url.url'],
    ['a data: URL of text for an image', { content: [image('data:text/html,<script>alert(1)</script>')] }, 'content.0.image_url.url'],
    ['a data: URL over 10 MB', { content: [image(dataUrl('image/png', TEN_MB + 1))] }, 'content.0.image_url.url'],
    ['an fps out of range', { content: [{ ...video('https://example.com/a.mp4'), fps: 11 }] }, 'content.0.fps'],
    ['a text with a lone surrogate (not Unicode)', { content: [text('ok'), text('half an emoji: \ud83d')] }, 'content.1.text'],
    ['a bad part after good ones', { content: [text('ok'), image('https://example.com/a.png'), text('')] }, 'content.2.text'],
  ])('refuses %s with 400 and stores nothing', async (_label, body, field) => {
    const res = await send(body);
    expectFieldErrors(res, [field]);
    expect(await countStoredMessages(app.db, conversationId)).toBe(0);
    const conversation = await app.db
      .selectFrom('conversations')
      .select('updated_at')
      .where('id', '=', conversationId)
      .executeTakeFirstOrThrow();
    expect(conversation.updated_at).toBe(updatedAt);
  });

  const zeros = (n: number) => Array(n).fill('0').join(',');
  const withExtra = (extra: string) => `{"content":[{"type":"text","text":"ok"}],"extra":${extra}}`;
  it.each([
    [
      'arrays nested 100,000 deep',
      withExtra('['.repeat(100_000) + ']'.repeat(100_000)),
      `extra${'.0'.repeat(31)}`,
      'must be nested at most 32 deep',
    ],
    ['content of 100,000 zeros', `{"content":[${zeros(100_000)}]}`, 'content', 'must have at most 2048 items'],
    ['60,000 values', withExtra(`[${Array(60).fill(`[${zeros(1000)}]`).join(',')}]`), '', 'must hold at most 50000 values'],
  ])('refuses a body of %s with one short 400 naming where, before the schema looks at it', async (_, rawBody, field, message) => {
    const path = `/api/conversations/${conversationId}/messages`;
    const res = await request(app.url, 'POST', path, { token: alice.accessToken, rawBody });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: 400, message: '请求参数错误', data: { errors: [{ field, message }] } });
    expect(await countStoredMessages(app.db, conversationId)).toBe(0);
  });

  it('lists the first 100 field errors of a body with more', async () => {
    const res = await send({ content: Array.from({ length: 999 }, () => ({ type: 'audio' })) });
    expect(res.status).toBe(400);
    expect(res.body.data.errors).toHaveLength(100);
    expect(await countStoredMessages(app.db, conversationId)).toBe(0);
  });

  it.each([
    ['20 parts', Array.from({ length: 20 }, (_, i) => text(`p${i}`))],
    ['a 100,000-character text', [text('x'.repeat(100_000))]],
    ['a 100,000-character text of emoji (200,000 UTF-16 units)', [text('😀'.repeat(100_000))]],
    ['a data: URL of exactly 10 MB', [image(dataUrl('image/jpeg', TEN_MB))]],
  ])('accepts %s (the limit itself)', async (_label, content) => {
    // A conversation of its own: the one above must stay empty.
    const fresh = await createConversation(app.url, alice.accessToken);
    const res = await send({ content }, fresh.conversation_id);
    expect(res.status).toBe(200);
    expect(res.body.data.content).toEqual(content);
  });
});
