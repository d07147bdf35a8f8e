import { sql } from 'kysely';
import { connect } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorHandler } from '../server/src/http/error-middleware.js';
import { apiCallsOf, CHAT_PATH, startChatApp } from './support/chat-app.js';
import { TEST_MODEL } from './support/conversations.js';
import { eventually } from './support/eventually.js';
import { currentUser, login, register, registerAndLogin, uniqueUser } from './support/auth.js';
import { expectError, expectNothingLeaked } from './support/envelope.js';
import { request } from './support/http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('errors outside the routes', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ BODY_LIMIT: '1kb' });
  });
  afterAll(() => app.close());

  it('answers malformed JSON with a 400 envelope', async () => {
    const res = await request(app.url, 'POST', '/api/auth/login', { rawBody: '{"username": "a", ' });
    expectError(res, 400, '请求体不是有效的 JSON');
    expectNothingLeaked(res);
  });

  it('answers a JSON body that is not an object or array with a 400 envelope', async () => {
    const res = await request(app.url, 'POST', '/api/auth/login', { rawBody: '"just a string"' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 400 });
  });

  it('answers a JSON array where an object is expected with a 400 envelope', async () => {
    const res = await request(app.url, 'POST', '/api/auth/login', { rawBody: '["a", "b"]' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 400, message: '请求参数错误' });
  });

  it.each([
    ['an unsupported charset', { 'content-type': 'application/json; charset=koi8-r' }],
    ['a Content-Encoding the server does not read', { 'content-type': 'application/json', 'content-encoding': 'br' }],
  ])('answers a JSON body in %s with a 415 envelope saying so', async (_what, headers) => {
    const res = await request(app.url, 'POST', '/api/auth/login', { rawBody: '{}', headers });
    expect(res.status).toBe(415);
    expect(res.body).toEqual({ code: 415, message: '不支持请求体的字符集或压缩方式', data: null });
  });

  it.each([
    ['GET', '/no/such/route'],
    ['GET', '/api/auth/nothing'],
    ['DELETE', '/api/auth/user'],
    ['GET', '/api/auth/login'],
  ])('answers %s %s with a 404 envelope', async (method, path) => {
    const res = await request(app.url, method, path);
    expectError(res, 404, '资源不存在');
    expectNothingLeaked(res);
  });

  it('answers a body over BODY_LIMIT with a 413 envelope', async () => {
    const res = await register(app.url, { ...uniqueUser('big'), nickname: 'x'.repeat(2048) });
    expectError(res, 413, '请求体过大');
    expectNothingLeaked(res);
  });

  it('refuses a string that is not Unicode (a lone surrogate) with a 400 naming its field, and stores nothing', async () => {
    const user = uniqueUser('lone');
    const res = await register(app.url, { ...user, nickname: 'broken \ud83d emoji' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      code: 400,
      message: '请求参数错误',
      data: { errors: [{ field: 'nickname', message: 'must be valid Unicode: it holds a lone UTF-16 surrogate' }] },
    });
    const stored = await app.db.selectFrom('users').select('id').where('username', '=', user.username).execute();
    expect(stored).toEqual([]);
  });

  it('refuses a lone surrogate in a name, and one sent raw in a UTF-16 body, naming the field in valid Unicode', async () => {
    const named = await request(app.url, 'POST', '/api/auth/register', { rawBody: '{"\\ud800x": 1}' });
    expect(named.status).toBe(400);
    expect(named.body.data.errors).toEqual([{ field: '\ufffdx', message: 'must be valid Unicode: its name holds a lone UTF-16 surrogate' }]);

    const user = uniqueUser('utf16');
    const res = await fetch(`${app.url}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-16le' },
      body: Buffer.from(JSON.stringify({ ...user, nickname: 'NICK' }).replace('NICK', 'raw \ud800'), 'utf16le'),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { data: unknown }).data).toEqual({
      errors: [{ field: 'nickname', message: 'must be valid Unicode: it holds a lone UTF-16 surrogate' }],
    });
    expect(await app.db.selectFrom('users').select('id').where('username', '=', user.username).execute()).toEqual([]);
  });

  it('refuses a body whose bytes are not UTF-8 (a Latin-1 é) with a 400, and stores nothing', async () => {
    const user = uniqueUser('latin1');
    const res = await fetch(`${app.url}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify({ ...user, nickname: 'café' }), 'latin1'),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ code: 400, message: '请求体不是有效的 UTF-8', data: null });
    expect(await app.db.selectFrom('users').select('id').where('username', '=', user.username).execute()).toEqual([]);
  });

  it('accepts escaped pairs, Hangul and Chinese (as clients that escape all but ASCII send them)', async () => {
    const user = uniqueUser('escaped');
    const rawBody = JSON.stringify({ ...user, nickname: 'NICK' }).replace('NICK', '\\ud83d\\ude00 \\ud55c \\u4f60');
    const res = await request(app.url, 'POST', '/api/auth/register', { rawBody });
    expect(res.status, res.text).toBe(200);
    expect(res.body.data.nickname).toBe('😀 한 你');
  });

  it('accepts a body under BODY_LIMIT', async () => {
    expect((await register(app.url, uniqueUser('small'))).status).toBe(200);
  });

  it('reads no body of an unknown route: 404, even for a body over BODY_LIMIT', async () => {
    const res = await request(app.url, 'POST', '/no/such/route', { body: { padding: 'x'.repeat(4096) } });
    expectError(res, 404, '资源不存在');
  });

  it('answers an anonymous call with an unreadable body 401, before reading it', async () => {
    for (const options of [{ rawBody: '{"title": ' }, { body: { title: 'x'.repeat(4096) } }]) {
      expectError(await request(app.url, 'POST', '/api/conversations', options), 401, '未认证');
    }
  });

  it("answers requests Node's parser refuses (a 20 KB header, a raw byte in the URL) with our envelope, not a bare status", async () => {
    const port = Number(new URL(app.url).port);
    const raw = (head: Buffer) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => socket.end(head));
        let text = '';
        socket.setEncoding('utf8');
        socket.on('data', (chunk) => (text += chunk));
        socket.on('close', () => resolve(text));
        socket.on('error', reject);
      });
    const bigHeader = await raw(Buffer.from(`GET /api/conversations HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
    const rawByte = await raw(Buffer.concat([Buffer.from('GET /api/conversations'), Buffer.from([0xe9]), Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n')]));
    for (const [answer, status, message] of [[bigHeader, 431, '请求头过大'], [rawByte, 400, '请求参数错误']] as const) {
      const [head, body] = answer.split('\r\n\r\n');
      expect(head).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
      expect(head).toMatch(/\r\nContent-Type: application\/json; charset=utf-8\r\n/i);
      expect(JSON.parse(body!)).toEqual({ code: status, message, data: null });
    }
    expect((await request(app.url, 'GET', '/healthz')).status).toBe(200);
  });

  it('never sends X-Powered-By, on success or error', async () => {
    for (const res of [await request(app.url, 'GET', '/healthz'), await request(app.url, 'GET', '/nope')]) {
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('echoes a sane X-Request-Id and makes one up otherwise', async () => {
    const echoed = await request(app.url, 'GET', '/nope', { headers: { 'x-request-id': 'trace-42.a:b' } });
    expect(echoed.headers.get('x-request-id')).toBe('trace-42.a:b');
    const replaced = await request(app.url, 'GET', '/healthz', { headers: { 'x-request-id': 'bad id<script>' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const fresh = await request(app.url, 'GET', '/healthz');
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('body limits by route (BODY_LIMIT at its default)', () => {
  let app: TestApp;
  let token: string;
  beforeAll(async () => {
    app = await startTestApp();
    token = (await registerAndLogin(app.url, uniqueUser('limits'))).accessToken;
  });
  afterAll(() => app.close());

  // 20 MB of `[{},{},…]` took seconds of the event loop to parse, asked of anyone, on any path.
  it('takes no more than 64 KB where the body is a few fields', async () => {
    const padding = 'x'.repeat(65 * 1024);
    expectError(await request(app.url, 'POST', '/api/auth/login', { body: { username: 'a', password: padding } }), 413, '请求体过大');
    expectError(await request(app.url, 'POST', '/api/conversations', { token, body: { title: padding } }), 413, '请求体过大');
  });

  it('reads no body where the route takes none: what was sent anyway is ignored', async () => {
    const { body } = await request(app.url, 'POST', '/api/conversations', { token, body: { model_name: 'qwen-plus' } });
    const bad = { rawBody: '{"not json', headers: { 'content-type': 'application/json; charset=koi8-r' } };
    const deleted = await request(app.url, 'DELETE', `/api/conversations/${body.data.conversation_id}`, { token, ...bad });
    expect(deleted.body).toEqual({ code: 200, message: '删除成功', data: null });
    const big = { rawBody: JSON.stringify({ padding: 'x'.repeat(65 * 1024) }) };
    // A session of its own: the other tests go on with `token`.
    const { accessToken } = await registerAndLogin(app.url, uniqueUser('leaver'));
    const loggedOut = await request(app.url, 'POST', '/api/auth/logout', { token: accessToken, ...big });
    expect(loggedOut.body).toEqual({ code: 200, message: '登出成功', data: null });
  });

  it('takes BODY_LIMIT where the body carries message content', async () => {
    const { body } = await request(app.url, 'POST', '/api/conversations', { token, body: { model_name: 'qwen-plus' } });
    const text = '长'.repeat(60_000); // 180 KB as UTF-8
    const res = await request(app.url, 'POST', `/api/conversations/${body.data.conversation_id}/messages`, {
      token,
      body: { content: [{ type: 'text', text }] },
    });
    expect(res.status, res.text).toBe(200);
  });
});

describe('a crash inside a route', () => {
  let app: TestApp;
  let accessToken: string;
  beforeAll(async () => {
    app = await startTestApp();
    ({ accessToken } = await registerAndLogin(app.url));
    // Break the database under the running app: every users query now fails with an SQL error.
    await sql`alter table users rename to users_gone`.execute(app.db);
  });
  afterAll(() => app.close());

  it('answers login, register and the current user with a bare 500 envelope', async () => {
    const answers = [
      await login(app.url, 'someone', 'some-password'),
      await register(app.url, uniqueUser('crash')),
      await currentUser(app.url, accessToken),
    ];
    for (const res of answers) {
      expectError(res, 500, '服务器内部错误');
      expectNothingLeaked(res, ['users']);
    }
  });

  it('still echoes the request id on a 500', async () => {
    const res = await request(app.url, 'POST', '/api/auth/login', {
      body: { username: 'someone', password: 'some-password' },
      headers: { 'x-request-id': 'crash-1' },
    });
    expect(res.status).toBe(500);
    expect(res.headers.get('x-request-id')).toBe('crash-1');
  });
});

describe('a client that leaves before its body is read', () => {
  const lost = () => Object.assign(new Error('stream is not readable'), { status: 500, statusCode: 500, expose: false, type: 'stream.not.readable' });

  it('is not an error of ours: nothing logged, nothing answered', () => {
    const logged: unknown[] = [];
    const logger = { error: (...args: unknown[]) => logged.push(args) } as never;
    let destroyed = false;
    const res = { headersSent: false, destroy: () => (destroyed = true), status: () => expect.unreachable('answered') };
    // What body-parser passes on when Node destroyed the request (its client left) before the body was read.
    errorHandler(logger)(lost(), { destroyed: true } as never, res as never, () => {});
    expect(logged).toEqual([]);
    expect(destroyed).toBe(true);
  });

  it('is still a 500 when the request is there: a body read twice is our bug', () => {
    const logged: unknown[] = [];
    const logger = { error: (...args: unknown[]) => logged.push(args) } as never;
    let status = 0;
    const res = { headersSent: false, status: (s: number) => ((status = s), { json: () => {} }) };
    errorHandler(logger)(lost(), { destroyed: false } as never, res as never, () => {});
    expect(status).toBe(500);
    expect(logged).toHaveLength(1);
  });

  it('leaving while authentication waits for PostgreSQL is recorded as abandoned, not logged as a crash', async () => {
    const lines: string[] = [];
    const app = await startChatApp({}, pino({ level: 'info' }, { write: (line: string) => lines.push(line) }), { postgres: true });
    try {
      const { accessToken, userId } = await registerAndLogin(app.url);
      const body = JSON.stringify({ model: TEST_MODEL, messages: [{ role: 'user', content: 'hi' }] });
      const { port } = new URL(app.url);
      await app.db.transaction().execute(async (trx) => {
        // Authentication reads the session: it waits behind this lock, as it waits for a busy pool.
        await sql`lock table sessions in access exclusive mode`.execute(trx);
        const socket = connect(Number(port), '127.0.0.1');
        await new Promise((resolve) => socket.once('connect', resolve));
        socket.write(
          `POST ${CHAT_PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${accessToken}\r\n` +
            `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
        await eventually(async () => {
          const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`.execute(app.db);
          expect(rows[0]!.n).toBe(1);
        });
        socket.destroy();
        await new Promise((resolve) => setTimeout(resolve, 200));
      });
      const [call] = await eventually(async () => {
        const calls = await apiCallsOf(app.db, userId);
        expect(calls).toHaveLength(1);
        return calls;
      });
      expect(call).toMatchObject({ status_code: 499, error_code: 'client_aborted' });
      // Give the error handler its turn (the record is written from the close, before the body is tried).
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(lines.filter((line) => JSON.parse(line).level >= 50)).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
