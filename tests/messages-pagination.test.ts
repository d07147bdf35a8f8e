import type { Message } from '@bailian-chat/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation, sendText } from './support/conversations.js';
import { createAccount, request, type Account } from './support/http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// History pages are found by seeking to a position corrected for deleted messages rather than by
// OFFSET; these walk every page of a history with holes in it, in both orders, against a plain slice.

let app: TestApp;
let alice: Account;
let conversationId: number;
let live: Message[];

beforeAll(async () => {
  app = await startTestApp();
  alice = await createAccount(app.url, 'alice');
  conversationId = (await createConversation(app.url, alice.accessToken)).conversation_id;
  const sent: Message[] = [];
  for (let i = 1; i <= 10; i++) sent.push(await sendText(app.url, alice.accessToken, conversationId, `m${i}`));
  // Holes at the start, a run in the middle and the end, then more messages after them.
  const remove = (m: Message) =>
    request(app.url, 'DELETE', `/api/messages/${m.message_id}`, { token: alice.accessToken });
  const doomed = [sent[0]!, sent[4]!, sent[5]!, sent[9]!];
  for (const m of doomed) await remove(m);
  for (let i = 11; i <= 14; i++) sent.push(await sendText(app.url, alice.accessToken, conversationId, `m${i}`));
  doomed.push(sent[11]!);
  await remove(sent[11]!);
  live = sent.filter((m) => !doomed.includes(m));
});
afterAll(() => app.close());

describe('message history with deleted messages', () => {
  it('has the live messages only', () => {
    expect(live.map((m) => (m.content[0] as { text: string }).text)).toEqual(['m2', 'm3', 'm4', 'm7', 'm8', 'm9', 'm11', 'm13', 'm14']);
  });

  for (const order of ['asc', 'desc'] as const) {
    for (const limit of [1, 2, 4, 5, 9, 20]) {
      it(`order=${order} limit=${limit}: every page is the matching slice`, async () => {
        const expected = order === 'asc' ? live : [...live].reverse();
        const totalPages = Math.ceil(live.length / limit);
        for (let page = 1; page <= totalPages + 1; page++) {
          const res = await request(
            app.url,
            'GET',
            `/api/conversations/${conversationId}/messages?order=${order}&limit=${limit}&page=${page}`,
            { token: alice.accessToken },
          );
          expect(res.status).toBe(200);
          expect(res.body.data.messages).toEqual(expected.slice((page - 1) * limit, page * limit));
          expect(res.body.data.pagination).toEqual({
            current_page: page,
            per_page: limit,
            total: live.length,
            total_pages: totalPages,
          });
        }
      });
    }
  }
});
