import { mkdtempSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { request } from './support/http.js';
import { freePort, startServerProcess, type ServerProcess } from './support/server-process.js';

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
async function startListening(name: string) {
  const port = await freePort();
  const server = startServerProcess({ DATABASE_URL: `sqlite:${join(dir, name, 'db.sqlite')}`, PORT: String(port) });
  await server.waitForOutput('bailian-chat listening');
  return { server, url: `http://127.0.0.1:${port}`, port };
}

/** The messages of the pino JSON lines a process wrote. */
const logMessages = (stdout: string) =>
  stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line).msg as string);

/** The process stopped with exit code 1 and one stderr line naming `variable`, no stack trace. */
async function expectRefusedStart(server: ServerProcess, variable: string) {
  expect(await server.exited).toBe(1);
  const lines = server.stderr().trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(variable);
}

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

  it('finishes a request in flight at SIGTERM, then closes its kept-alive connection and exits 0', async () => {
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
          server.child.kill('SIGTERM');
          return server.waitForOutput('shutting down');
        })
        .then(() => req.end(body.slice(5)), reject);
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
});
