import { mkdtempSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '@bailian-chat/server';
import { CHAT_PATH, TEST_API_KEY } from './support/chat-app.js';
import { createConversation, TEST_MODEL } from './support/conversations.js';
import { FakeDashScope, streamPieces, DEFAULT_REPLY } from './support/fake-dashscope.js';
import { eventually } from './support/eventually.js';
import { createAccount, request } from './support/http.js';
import { readSseData } from './support/sse.js';
import { expectRefusedStart, freePort, startServerProcess } from './support/server-process.js';

const dir = mkdtempSync(join(tmpdir(), 'bailian-process-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One request over `agent`; resolves with the status and the Connection header, or the error. */
function get(agent: http.Agent, url: string): Promise<{ status: number; connection?: string } | Error> {
  return new Promise((resolve) => {
    http
      .get(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection }));
      })
      .on('error', resolve);
  });
}

/** A server process on a free port over a fresh SQLite file, once it says it is listening. */
async function startListening(name: string, env: Record<string, string> = {}) {
  const port = await freePort();
  const database = `sqlite:${join(dir, name, 'db.sqlite')}`;
  const server = startServerProcess({ DATABASE_URL: database, PORT: String(port), ...env });
  await server.waitForOutput('bailian-chat listening');
  return { server, url: `http://127.0.0.1:${port}`, port, database };
}

/** The messages of the pino JSON lines a process wrote. */
const logMessages = (stdout: string) =>
  stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line).msg as string);

describe('start-up with a bad configuration', () => {
  it('exits 1 with one line naming PORT when the port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const server = startServerProcess({ DATABASE_URL: `sqlite:${join(dir, 'taken', 'db.sqlite')}`, PORT: String(port) });
      await expectRefusedStart(server, 'PORT');
    } finally {
      taken.close();
    }
  });

  it.each([
    ['JWT_SECRET missing under NODE_ENV=production', { NODE_ENV: 'production' }, 'JWT_SECRET'],
    ['PORT=abc', { PORT: 'abc' }, 'PORT'],
    ['a JWT_SECRET under 32 bytes', { JWT_SECRET: 'short' }, 'JWT_SECRET'],
    ['DATABASE_LOCK_TIMEOUT_MS=0', { DATABASE_LOCK_TIMEOUT_MS: '0' }, 'DATABASE_LOCK_TIMEOUT_MS'],
  ])('%s: exits 1 with one stderr line naming the variable', async (_name, env, variable) => {
    await expectRefusedStart(startServerProcess({ DATABASE_URL: `sqlite:${join(dir, 'bad', 'db.sqlite')}`, ...env }), variable);
  });
});

describe('a real start and a graceful stop', () => {
  it('listens, answers /healthz, keeps its dev secret 0600, and exits 0 with "stopped" on SIGTERM', async () => {
    const { server, url } = await startListening('data');
    const res = await request(url, 'GET', '/healthz');
    expect(res.body).toEqual({ code: 200, message: 'ok', data: { status: 'ok' } });
    expect(statSync(join(dir, 'data', 'jwt-secret')).mode & 0o777).toBe(0o600);

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const messages = logMessages(server.stdout());
    expect(messages).toContain('shutting down');
    expect(messages.at(-1)).toBe('stopped');
  });

  it('finishes a request in flight at SIGINT (a second one just after is the same stop), then closes its connection, exits 0', async () => {
    const { server, port, url } = await startListening('inflight');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const body = JSON.stringify({ username: 'nobody', password: 'some-password' });
    const inFlight = new Promise<{ status: number; connection?: string }>((resolve, reject) => {
      const req = http.request(
        { port, host: '127.0.0.1', method: 'POST', path: '/api/auth/login', agent },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection }));
        },
      );
      req.on('error', reject);
      req.setHeader('content-type', 'application/json');
      req.setHeader('content-length', Buffer.byteLength(body));
      req.write(body.slice(0, 5));
      // The server answers this other request only after reading the bytes sent before it; the
      // rest of the body follows once the server has begun shutting down.
      void request(url, 'GET', '/healthz')
        .then(() => {
          server.child.kill('SIGINT');
          return server.waitForOutput('shutting down');
        })
        .then(() => {
          // As Ctrl-C under `npm start` does: one signal from the terminal, one forwarded by npm.
          server.child.kill('SIGINT');
          req.end(body.slice(5));
        }, reject);
    });
    expect(await inFlight).toEqual({ status: 401, connection: 'keep-alive' });

    // A busy client (a proxy's pool, a poller) keeps reusing the connection until told to close it.
    let last: Awaited<ReturnType<typeof get>> = await get(agent, `${url}/healthz`);
    while (!(last instanceof Error) && last.connection !== 'close') last = await get(agent, `${url}/healthz`);
    agent.destroy();
    expect(last).toEqual({ status: 200, connection: 'close' });
    expect(await server.exited).toBe(0);
    expect(logMessages(server.stdout()).at(-1)).toBe('stopped');
  });

  it('exits 1 at once on a second signal a second or more after the first', async () => {
    const { server, port } = await startListening('forced');
    const held = http.request({ port, host: '127.0.0.1', method: 'POST', path: '/api/auth/login' });
    held.on('error', () => {});
    held.setHeader('content-type', 'application/json');
    held.setHeader('content-length', 100);
    held.write('{');
    await request(`http://127.0.0.1:${port}`, 'GET', '/healthz'); // the held request has reached the server
    server.child.kill('SIGTERM');
    await server.waitForOutput('shutting down');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(1);
    expect(logMessages(server.stdout())).not.toContain('stopped');
    held.destroy();
  });
});

describe('a stop while chat calls are in flight', () => {
  let fake: FakeDashScope;
  beforeEach(async () => {
    fake = await FakeDashScope.start();
  });
  afterEach(() => fake.close());

  const question = { model: TEST_MODEL, messages: [{ role: 'user', content: '讲个故事' }] };

  /** A server process calling the fake, with the given grace period. */
  const startChatProcess = (name: string, graceMs: number) =>
    startListening(name, {
      DASHSCOPE_API_KEY: TEST_API_KEY,
      DASHSCOPE_BASE_URL: fake.baseUrl,
      DASHSCOPE_MAX_RETRIES: '0',
      SHUTDOWN_GRACE_MS: String(graceMs),
    });

  /** What `read` finds in the database of a process that has exited. */
  async function storedRows<T>(database: string, read: (db: Db) => Promise<T>): Promise<T> {
    const db = openDatabase(database);
    try {
      return await read(db);
    } finally {
      await db.destroy();
    }
  }

  const post = (url: string, token: string, body: object, signal?: AbortSignal) =>
    fetch(url + CHAT_PATH, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal,
    });

  it('ends them after the grace period: the stream with an error frame, its partial reply stored, every call recorded', async () => {
    const { server, url, database } = await startChatProcess('grace', 500);
    const alice = await createAccount(url, 'alice');
    const conversation = await createConversation(url, alice.accessToken);
    fake.next({ fault: 'stall_mid_stream' }, { fault: 'hang' });
    const streamed = await post(url, alice.accessToken, {
      ...question,
      stream: true,
      conversation_id: conversation.conversation_id,
    });
    const plain = post(url, alice.accessToken, question);
    await eventually(() => expect(fake.requests).toHaveLength(2));
    server.child.kill('SIGTERM');

    const partial = streamPieces(DEFAULT_REPLY).slice(0, 2).join('');
    const frames = (await readSseData(streamed)).map((frame) => JSON.parse(frame));
    expect(frames.slice(0, -1).map((chunk) => chunk.choices[0].delta.content).join('')).toBe(partial);
    expect(frames.at(-1)).toEqual({ error: { message: '服务正在停止，请稍后重试', code: 'server_stopping' } });
    const answer = await plain;
    expect(answer.status).toBe(503);
    expect(await answer.json()).toEqual({ code: 503, message: '服务正在停止，请稍后重试', data: null });
    expect(await server.exited).toBe(0);
    expect(logMessages(server.stdout())).toEqual(
      expect.arrayContaining(['grace period over: ending the answers still in flight', 'stopped']),
    );
    expect(fake.requests.map((received) => received.aborted)).toEqual([true, true]);

    await storedRows(database, async (db) => {
      const replies = await db.selectFrom('messages').selectAll().where('role', '=', 'assistant').execute();
      expect(replies).toHaveLength(1);
      expect(replies[0]).toMatchObject({ conversation_id: conversation.conversation_id, status: 2 });
      expect(JSON.parse(replies[0]!.content)).toEqual([{ type: 'text', text: partial }]);
      const calls = await db.selectFrom('api_calls').selectAll().orderBy('stream', 'desc').execute();
      const { requestId } = fake.requests[0]!;
      expect(calls).toMatchObject([
        {
          status_code: 200,
          stream: 1,
          error_code: 'server_stopping',
          conversation_id: conversation.conversation_id,
          upstream_request_id: requestId,
        },
        { status_code: 503, stream: 0, error_code: 'server_stopping', conversation_id: null, upstream_request_id: null },
      ]);
    });
  });

  it('cuts a stream its client stopped reading once the grace period is over, and still records it', async () => {
    // More than the socket buffers of both ends hold, so that the answer cannot end unread.
    fake.next({ reply: 'x'.repeat(40 * 1024 * 1024) });
    const { server, port, database } = await startChatProcess('unread', 500);
    const dave = await createAccount(`http://127.0.0.1:${port}`, 'dave');
    const unread = http.request(
      {
        port,
        host: '127.0.0.1',
        method: 'POST',
        path: CHAT_PATH,
        headers: { authorization: `Bearer ${dave.accessToken}`, 'content-type': 'application/json' },
      },
      (res) => res.pause(), // never read
    );
    unread.on('error', () => {}); // the cut
    unread.end(JSON.stringify({ ...question, stream: true }));
    await eventually(() => expect(fake.requests).toHaveLength(1));
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(logMessages(server.stdout()).at(-1)).toBe('stopped');

    await storedRows(database, async (db) => {
      const calls = await db.selectFrom('api_calls').select(['status_code', 'stream', 'error_code']).execute();
      expect(calls).toEqual([{ status_code: 200, stream: 1, error_code: 'server_stopping' }]);
    });
  });

  it('records a call whose client leaves during the grace period, and stores its partial reply, before it exits', async () => {
    fake.next({ fault: 'stall_mid_stream' });
    const { server, url, database } = await startChatProcess('left', 20_000);
    const carol = await createAccount(url, 'carol');
    const conversation = await createConversation(url, carol.accessToken);
    const client = new AbortController();
    const body = { ...question, stream: true, conversation_id: conversation.conversation_id };
    const streamed = await post(url, carol.accessToken, body, client.signal);
    expect(streamed.status).toBe(200);
    server.child.kill('SIGTERM');
    await server.waitForOutput('shutting down');
    client.abort();
    // Its connection was the last one: the server closes as it goes, and must still wait for it.
    expect(await server.exited).toBe(0);
    expect(logMessages(server.stdout()).at(-1)).toBe('stopped');

    await storedRows(database, async (db) => {
      const replies = await db.selectFrom('messages').select(['status', 'content']).where('role', '=', 'assistant').execute();
      const partial = streamPieces(DEFAULT_REPLY).slice(0, 2).join('');
      expect(replies).toEqual([{ status: 2, content: JSON.stringify([{ type: 'text', text: partial }]) }]);
      const calls = await db.selectFrom('api_calls').select(['status_code', 'stream', 'error_code']).execute();
      expect(calls).toEqual([{ status_code: 200, stream: 1, error_code: 'client_aborted' }]);
    });
  });

  it('closes a connection an answer in flight kept alive soon after that answer, not after the keep-alive timeout', async () => {
    fake.next({ firstByteDelayMs: 1_500 });
    const { server, port, database } = await startChatProcess('kept-alive', 20_000);
    const bob = await createAccount(`http://127.0.0.1:${port}`, 'bob');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const answered = new Promise<{ status: number; connection?: string; closedAfterMs: Promise<number> }>((resolve, reject) => {
      const req = http.request(
        {
          port,
          host: '127.0.0.1',
          method: 'POST',
          path: CHAT_PATH,
          agent,
          headers: { authorization: `Bearer ${bob.accessToken}`, 'content-type': 'application/json' },
        },
        (res) => {
          const { socket } = res;
          res.resume();
          res.on('end', () => {
            const endedAt = performance.now();
            const closedAfterMs = new Promise<number>((closed) =>
              socket.once('close', () => closed(performance.now() - endedAt)),
            );
            resolve({ status: res.statusCode!, connection: res.headers.connection, closedAfterMs });
          });
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(question));
    });
    await eventually(() => expect(fake.requests).toHaveLength(1));
    server.child.kill('SIGTERM');
    // The answer must be in flight when the stop begins, or there is nothing to check.
    const first = await Promise.race([server.waitForOutput('shutting down').then(() => 'stop'), answered.then(() => 'answer')]);
    expect(first).toBe('stop');
    const { status, connection, closedAfterMs } = await answered;
    expect({ status, connection }).toEqual({ status: 200, connection: 'keep-alive' });
    // Node's keep-alive timeout is 5 s (6 s with its buffer), stopping's 1 s (2 s); the grace
    // period (20 s) never ends.
    expect(await closedAfterMs).toBeLessThan(4_000);
    agent.destroy();
    expect(await server.exited).toBe(0);
    expect(logMessages(server.stdout())).not.toContain('grace period over: ending the answers still in flight');

    await storedRows(database, async (db) => {
      const calls = await db.selectFrom('api_calls').select(['status_code', 'error_code']).execute();
      expect(calls).toEqual([{ status_code: 200, error_code: null }]);
    });
  });
});
