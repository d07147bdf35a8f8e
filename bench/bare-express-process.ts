import type { AddressInfo } from 'node:net';
import express from 'express';

/**
 * The baseline of the auth scenario and the floor of the conversations scenario, in a process of
 * its own as the server under test is: a bare Express app answering argv[2] (JSON) on every GET.
 * It sends its URL to the bench once it listens.
 */
const body: unknown = JSON.parse(process.argv[2] ?? 'null');
const app = express();
app.get('*', (_req, res) => {
  res.json(body);
});
const server = app.listen(0, '127.0.0.1', () => {
  process.send?.(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
