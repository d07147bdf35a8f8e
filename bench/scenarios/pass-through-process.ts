import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A bare pass-through to the fake DashScope (argv[2], its base URL), in a process of its own: it
 * forwards each request with node:http over kept-alive connections and pipes the answer back,
 * with no SDK, no app and no records. The chat scenario runs it to show what one more hop costs on
 * the machine at hand, apart from what the proxy does. It sends its URL to the bench once it listens.
 */
const upstream = new URL(process.argv[2]!);
const agent = new http.Agent({ keepAlive: true });

const server = http.createServer((req, res) => {
  const forwarded = http.request(
    { host: upstream.hostname, port: upstream.port, path: upstream.pathname + req.url, method: req.method, headers: req.headers, agent },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  forwarded.once('error', () => res.destroy());
  req.pipe(forwarded);
});
server.listen(0, '127.0.0.1', () => {
  process.send?.(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
