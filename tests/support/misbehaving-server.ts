import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { afterEach } from 'vitest';

export interface Misbehaving {
  url: string;
  /** Requests (HTTP) or connections (TCP) received so far. */
  hits: number;
  close(): Promise<void>;
}

async function listening(server: Server, counted: { hits: number }): Promise<Misbehaving> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    get hits() {
      return counted.hits;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** An HTTP server on port 0 that answers each request with `handle` (given the request's index from 0). */
export function httpServer(handle: (req: IncomingMessage, res: ServerResponse, index: number) => void): Promise<Misbehaving> {
  const counted = { hits: 0 };
  const server = createHttpServer((req, res) => handle(req, res, counted.hits++));
  return listening(server, counted);
}

/** A TCP server that closes every connection as soon as the request's first bytes arrive. */
export function resettingServer(): Promise<Misbehaving> {
  const counted = { hits: 0 };
  const server = createTcpServer((socket) => {
    counted.hits += 1;
    socket.once('data', () => socket.destroy());
  });
  return listening(server, counted);
}

/** A URL nothing listens at: a port the OS just gave out and took back. */
export async function refusingUrl(): Promise<string> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

export const envelope = (code: number, message: string, data: unknown = null) => JSON.stringify({ code, message, data });

/** Answers with a JSON envelope. */
export function answer(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
}

/**
 * For a test file: a function that takes a server being started and gives it once it listens,
 * closing every server it gave after the test that started it.
 */
export function closedAfterEachTest(): (server: Promise<Misbehaving>) => Promise<Misbehaving> {
  let servers: Misbehaving[] = [];
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
  });
  return async (server) => {
    const s = await server;
    servers.push(s);
    return s;
  };
}
