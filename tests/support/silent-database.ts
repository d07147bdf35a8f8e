import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A "PostgreSQL server" that takes connections and never says a word: what a client sees of a
 * server that hangs, or of a host whose packets are dropped once the connection is up. pg waits
 * for its answer to the startup message for as long as nothing times the wait out.
 */
export async function silentDatabase(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `postgres://nobody@127.0.0.1:${port}/none`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
