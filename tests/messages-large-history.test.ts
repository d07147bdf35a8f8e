import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Message } from '@bailian-chat/contract';
import express from 'express';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLeanJson } from '../server/src/http/lean-json.js';
import { storedJsonRead } from '../server/src/http/stored-json.js';
import { insertMessage } from '../server/src/messages/messages-repository.js';
import { createConversation, sendText } from './support/conversations.js';
import { eventually } from './support/eventually.js';
import { createAccount, request, type Account } from './support/http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// Messages can carry data: URLs of up to 10 MB each, so a page of history can be far larger than
// the messages of a page usually are. These check that such pages arrive whole and exact.

let app: TestApp;
let alice: Account;
const logLines: Record<string, unknown>[] = [];
const logger = pino({ level: 'info' }, { write: (line: string) => logLines.push(JSON.parse(line)) });

beforeAll(async () => {
  app = await startTestApp({}, logger);
  alice = await createAccount(app.url, 'alice');
});
afterAll(() => app.close());

const historyUrl = (conversationId: number, query: string) => `/api/conversations/${conversationId}/messages?${query}`;

/**
 * GET on a connection of its own, as bytes. Seeding takes longer than the server's keep-alive
 * timeout, so a pooled connection (fetch's) could be closed by the server as it is reused.
 */
function getBytes(url: string, token: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false, headers: { authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** A one-part message holding a data: URL of `size` base64 characters. */
function imageContent(size: number, fill: string) {
  return [{ type: 'image_url', image_url: { url: `data:image/png;base64,${fill.repeat(size)}` } }];
}

describe('history pages with large messages', () => {
  it('answers each message exactly, in order and in reverse, when large ones sit among small ones', async () => {
    const { conversation_id: id } = await createConversation(app.url, alice.accessToken);
    const sent: Message[] = [];
    for (let i = 0; i < 3; i++) {
      sent.push(await sendText(app.url, alice.accessToken, id, `small ${i}`));
      const res = await request(app.url, 'POST', `/api/conversations/${id}/messages`, {
        token: alice.accessToken,
        body: { content: imageContent(400_000 + i, 'ABCD'[i]!) },
      });
      expect(res.status).toBe(200);
      sent.push(res.body.data);
    }

    const asc = await request(app.url, 'GET', historyUrl(id, 'limit=100'), { token: alice.accessToken });
    expect(asc.status).toBe(200);
    expect(asc.body.data.messages).toEqual(sent);
    expect(asc.body.data.pagination).toEqual({ current_page: 1, per_page: 100, total: 6, total_pages: 1 });

    const desc = await request(app.url, 'GET', historyUrl(id, 'order=desc&limit=4&page=1'), { token: alice.accessToken });
    expect(desc.status).toBe(200);
    expect(desc.body.data.messages).toEqual([...sent].reverse().slice(0, 4));
  });

  // The timeout is a hang guard, not a speed target. On PostgreSQL the seeding alone is 27 inserts
  // of 20 MB (0.55 s each in psql alone, most of it compressing the TOAST value), and the answer is
  // 540 MB read back through pg's text protocol: 35 s and 26 s while other suites shared the machine.
  it('answers a page larger than one JavaScript string can hold (27 messages of 20 MB)', async () => {
    const { conversation_id: id } = await createConversation(app.url, alice.accessToken);
    const size = 20_000_000;
    const stored = JSON.stringify(imageContent(size, 'A'));
    // Seeded through the repository: posting 540 MB through HTTP would only make the test slower.
    const inserted: { id: number; created_at: string }[] = [];
    for (let i = 0; i < 27; i++) {
      const { id: messageId, created_at } = (await insertMessage(app.db, {
        conversation_id: id,
        user_id: alice.userId,
        role: 'user',
        content_type: 'image',
        content: stored,
        status: 1,
        created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
      }))!;
      inserted.push({ id: messageId, created_at });
    }

    const { status, body: answer } = await getBytes(app.url + historyUrl(id, 'limit=30'), alice.accessToken);
    expect(status).toBe(200);
    // Each big URL is cut out of the answer before the rest is parsed: the whole answer is too long
    // for a string on this side as well.
    const url = Buffer.from(imageContent(size, 'A')[0]!.image_url.url);
    const pieces: Buffer[] = [];
    let from = 0;
    for (let at = answer.indexOf('"url":"data:', from); at !== -1; at = answer.indexOf('"url":"data:', from)) {
      const start = at + '"url":"'.length;
      expect(answer.subarray(start, start + url.length).equals(url)).toBe(true);
      pieces.push(answer.subarray(from, start), Buffer.from('BIG'));
      from = start + url.length;
    }
    pieces.push(answer.subarray(from));
    const body = JSON.parse(Buffer.concat(pieces).toString('utf8'));

    expect(body.code).toBe(200);
    expect(body.data.pagination).toEqual({ current_page: 1, per_page: 30, total: 27, total_pages: 1 });
    expect(body.data.messages).toEqual(
      inserted.map((row) => ({
        message_id: row.id,
        conversation_id: id,
        user_id: alice.userId,
        role: 'user',
        content_type: 'image',
        content: [{ type: 'image_url', image_url: { url: 'BIG' } }],
        status: 1,
        created_at: row.created_at,
      })),
    );
  }, 180_000);

  it('logs a page the client left before its end as aborted', async () => {
    const { conversation_id: id } = await createConversation(app.url, alice.accessToken);
    for (let i = 0; i < 8; i++) {
      const res = await request(app.url, 'POST', `/api/conversations/${id}/messages`, {
        token: alice.accessToken,
        body: { content: imageContent(2_000_000, 'Q') },
      });
      expect(res.status).toBe(200);
    }
    const leaving = new AbortController();
    const res = await fetch(app.url + historyUrl(id, 'limit=8'), {
      headers: { authorization: `Bearer ${alice.accessToken}`, 'x-request-id': 'leaves-early' },
      signal: leaving.signal,
    });
    expect(res.status).toBe(200);
    await res.body!.getReader().read();
    leaving.abort();
    await eventually(() =>
      expect(logLines.find((line) => line.reqId === 'leaves-early')).toMatchObject({ msg: 'request', status: 200, aborted: true }),
    );
  });
});

describe('an answer whose stored value cannot be read', () => {
  it('is cut short for the client and logged as an error', async () => {
    const lines: Record<string, unknown>[] = [];
    const server = express();
    useLeanJson(server, pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) }));
    server.get('/', (_req, res) => {
      res.json({ before: 'x', content: storedJsonRead(() => Promise.reject(new Error('the database went away'))) });
    });
    const listening = server.listen(0, '127.0.0.1');
    await new Promise((resolve) => listening.once('listening', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(listening.address() as AddressInfo).port}/`);
      expect(res.status).toBe(200);
      await expect(res.text()).rejects.toThrow();
      await eventually(() => expect(lines.find((line) => line.msg === 'answer cut short')).toMatchObject({ level: 50 }));
    } finally {
      listening.close();
    }
  });
});
