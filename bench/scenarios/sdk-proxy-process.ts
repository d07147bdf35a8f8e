import type { AddressInfo } from 'node:net';
import express from 'express';
import OpenAI from 'openai';

/**
 * The least a proxy in this project's stack does: Express with its JSON body parser and the openai
 * SDK (its own defaults: the global fetch), relaying a completion as JSON and a stream as SSE frames
 * to the fake DashScope (argv[2], its base URL). No auth, no validation, no records, no envelope.
 * The chat scenario runs it beside the proxy to show what the chosen stack alone costs on the machine
 * at hand. It sends its URL to the bench once it listens.
 */
const client = new OpenAI({ apiKey: 'sk-bench', baseURL: process.argv[2], maxRetries: 0 });
const app = express();
app.use(express.json({ limit: '20mb' }));
app.post('/chat/completions', async (req, res) => {
  try {
    if (!req.body.stream) {
      res.json(await client.chat.completions.create(req.body as OpenAI.ChatCompletionCreateParamsNonStreaming));
      return;
    }
    const stream = await client.chat.completions.create(req.body as OpenAI.ChatCompletionCreateParamsStreaming);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for await (const chunk of stream) res.write(`data: ${JSON.stringify(chunk)}\n\n`);
    res.end('data: [DONE]\n\n');
  } catch {
    if (res.headersSent) res.destroy();
    else res.status(503).end();
  }
});
const server = app.listen(0, '127.0.0.1', () => {
  process.send?.(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
