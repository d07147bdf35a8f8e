import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The errors DashScope's compatible mode answers with, as it spells them. */
export const FAKE_ERRORS = {
  invalid_parameter: { status: 400, type: 'invalid_request_error', code: 'invalid_parameter_error', message: 'Range of top_p should be (0.0, 1.0]' },
  data_inspection_failed: { status: 400, type: 'data_inspection_failed', code: 'data_inspection_failed', message: 'Input data may contain inappropriate content.' },
  invalid_api_key: { status: 401, type: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided. sk-fake****' },
  model_not_found: { status: 404, type: 'invalid_request_error', code: 'model_not_found', message: 'The model `qwen-gone` does not exist or you do not have access to it.' },
  limit_requests: { status: 429, type: 'limit_requests', code: 'limit_requests', message: 'Requests rate limit exceeded, please try again later.' },
  internal_error: { status: 500, type: 'internal_error', code: 'internal_error', message: 'An internal error has occured, please try again later.' },
} as const;
export type FakeErrorName = keyof typeof FAKE_ERRORS;

export type FakeFault =
  /** Never answers (no status, no byte). */
  | 'hang'
  /** Streams a few chunks (non-streamed: half the body), then destroys the connection. */
  | 'reset_mid_stream'
  /** Streams a few chunks (non-streamed: half the body), then sends nothing more, keeping the connection open. */
  | 'stall_mid_stream'
  /** Streams every frame through `[DONE]`, then keeps the connection open without ending the body. */
  | 'open_after_done'
  /** A 200 whose body (or first frame) is not JSON. */
  | 'malformed_json'
  /** A completion of 10 MB. */
  | 'huge_body'
  /** A 200 with nothing in it: an empty JSON body, or a stream of `data: [DONE]` alone. */
  | 'empty_answer';

/** How the fake answers one request; the default is a normal completion of DEFAULT_REPLY. */
export interface FakeBehaviour {
  reply?: string;
  error?: FakeErrorName;
  fault?: FakeFault;
  /** Waits this long before the first byte. */
  firstByteDelayMs?: number;
  /** The JSON body of a non-streamed 200, as given: a completion that is not what it should be. */
  body?: unknown;
  /** The `data:` payloads of a streamed 200, as given (objects as JSON), then `[DONE]`: chunks that are not what they should be. */
  frames?: unknown[];
}

/** One request as the fake received it. */
export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: any;
  requestId: string;
  /** True once the client went away before the answer was complete. */
  aborted: boolean;
}

export const DEFAULT_REPLY = '我是通义千问，阿里巴巴集团旗下的超大规模语言模型。我能回答问题、创作文字，还能看图和视频。';
export const HUGE_REPLY_LENGTH = 10 * 1024 * 1024;
const CHAT_PATH = '/compatible-mode/v1/chat/completions';
const STREAM_PIECES = 8;

/** Splits a reply into the deltas a stream carries (at most STREAM_PIECES of them). */
export function streamPieces(reply: string): string[] {
  const size = Math.max(1, Math.ceil(reply.length / STREAM_PIECES));
  const pieces: string[] = [];
  for (let i = 0; i < reply.length; i += size) pieces.push(reply.slice(i, i + size));
  return pieces;
}

/** The usage the fake reports: prompt tokens are the characters of the prompt's text, completion tokens the pieces. */
export function fakeUsage(body: any, reply: string) {
  const text = (body.messages as { content: unknown }[])
    .map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content)))
    .join('');
  const completion = streamPieces(reply).length;
  return { prompt_tokens: text.length, completion_tokens: completion, total_tokens: text.length + completion };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Exchange {
  readonly id = `chatcmpl-${randomUUID()}`;
  readonly created = Math.floor(Date.now() / 1000);

  constructor(
    readonly res: ServerResponse,
    readonly received: ReceivedRequest,
    readonly reply: string,
  ) {}

  get body() {
    return this.received.body;
  }

  head(status: number, contentType: string) {
    this.res.writeHead(status, { 'content-type': contentType, 'x-request-id': this.received.requestId });
  }

  completion() {
    return {
      choices: [{ message: { role: 'assistant', content: this.reply }, finish_reason: 'stop', index: 0, logprobs: null }],
      object: 'chat.completion',
      usage: fakeUsage(this.body, this.reply),
      created: this.created,
      system_fingerprint: null,
      model: this.body.model,
      id: this.id,
    };
  }

  chunk(delta: object, finishReason: string | null, usage: object | null = null, choices = true) {
    const choice = { delta, index: 0, logprobs: null, finish_reason: finishReason };
    return `data: ${JSON.stringify({
      choices: choices ? [choice] : [],
      object: 'chat.completion.chunk',
      usage,
      created: this.created,
      system_fingerprint: null,
      model: this.body.model,
      id: this.id,
    })}\n\n`;
  }

  /** Every frame of a streamed answer, as DashScope sends them. */
  frames(): string[] {
    const pieces = streamPieces(this.reply);
    const frames = [this.chunk({ content: '', role: 'assistant' }, null)];
    pieces.forEach((p, i) => frames.push(this.chunk({ content: p }, i === pieces.length - 1 ? 'stop' : null)));
    if (this.body.stream_options?.include_usage) frames.push(this.chunk({}, null, fakeUsage(this.body, this.reply), false));
    frames.push('data: [DONE]\n\n');
    return frames;
  }
}

export interface FakeOptions {
  /** How requests are answered when nothing is queued; a function is asked once per request. */
  behaviour?: FakeBehaviour | (() => FakeBehaviour);
  /** Keep every request in `requests` (default); a benchmark turns it off to stay flat in memory. */
  record?: boolean;
}

/**
 * A stand-in for DashScope's OpenAI-compatible mode: a real HTTP server on port 0 that speaks its
 * wire format at `/compatible-mode/v1/chat/completions`. Tests queue how it answers the next
 * requests with `next()`, and read what it received in `requests`.
 */
export class FakeDashScope {
  readonly requests: ReceivedRequest[] = [];
  private readonly queue: FakeBehaviour[] = [];
  private readonly server = createServer((req, res) => {
    this.handle(req, res).catch(() => res.destroy());
  });

  /** The value for DASHSCOPE_BASE_URL. */
  baseUrl = '';

  private constructor(private readonly options: FakeOptions) {}

  static async start(options: FakeOptions = {}): Promise<FakeDashScope> {
    const fake = new FakeDashScope(options);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.baseUrl = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}/compatible-mode/v1`;
    return fake;
  }

  /** How the next requests are answered, in order; after the queue, normal completions. */
  next(...behaviours: FakeBehaviour[]): void {
    this.queue.push(...behaviours);
  }

  get last(): ReceivedRequest {
    const last = this.requests.at(-1);
    if (!last) throw new Error('the fake received no request');
    return last;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private defaultBehaviour(): FakeBehaviour {
    const { behaviour } = this.options;
    return (typeof behaviour === 'function' ? behaviour() : behaviour) ?? {};
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    const received: ReceivedRequest = { path: req.url ?? '', headers: req.headers, body: null, requestId: randomUUID(), aborted: false };
    res.on('close', () => {
      received.aborted = !res.writableFinished;
    });
    if (req.method !== 'POST' || req.url !== CHAT_PATH) {
      res.writeHead(404).end();
      return;
    }
    received.body = JSON.parse(text);
    if (this.options.record !== false) this.requests.push(received);
    const behaviour = this.queue.shift() ?? this.defaultBehaviour();
    if (behaviour.fault === 'hang') return;
    if (behaviour.firstByteDelayMs) await sleep(behaviour.firstByteDelayMs);
    const reply = behaviour.fault === 'huge_body' ? 'x'.repeat(HUGE_REPLY_LENGTH) : (behaviour.reply ?? DEFAULT_REPLY);
    const exchange = new Exchange(res, received, reply);
    if (behaviour.error) return this.error(exchange, behaviour.error);
    if (received.body.stream) return this.stream(exchange, behaviour);
    if (behaviour.body !== undefined) {
      exchange.head(200, 'application/json');
      exchange.res.end(typeof behaviour.body === 'string' ? behaviour.body : JSON.stringify(behaviour.body));
      return;
    }
    return this.complete(exchange, behaviour.fault);
  }

  private error(exchange: Exchange, name: FakeErrorName): void {
    const { status, ...error } = FAKE_ERRORS[name];
    exchange.head(status, 'application/json');
    exchange.res.end(JSON.stringify({ error: { message: error.message, type: error.type, param: null, code: error.code }, request_id: exchange.received.requestId }));
  }

  private complete(exchange: Exchange, fault: FakeFault | undefined): void {
    const json = JSON.stringify(exchange.completion());
    exchange.head(200, 'application/json');
    if (fault === 'malformed_json') exchange.res.end(json.slice(0, json.length / 2));
    else if (fault === 'empty_answer') exchange.res.end();
    else if (fault === 'reset_mid_stream') exchange.res.write(json.slice(0, json.length / 2), () => exchange.res.destroy());
    else if (fault === 'stall_mid_stream') exchange.res.write(json.slice(0, json.length / 2));
    else exchange.res.end(json);
  }

  private stream(exchange: Exchange, { fault, frames: given }: FakeBehaviour): void {
    exchange.head(200, 'text/event-stream');
    if (given) {
      const payloads = [...given.map((frame) => (typeof frame === 'string' ? frame : JSON.stringify(frame))), '[DONE]'];
      exchange.res.end(payloads.map((payload) => `data: ${payload}\n\n`).join(''));
      return;
    }
    if (fault === 'malformed_json') {
      exchange.res.end('data: {"choices": [{"delta": {"content": "broken\n\ndata: [DONE]\n\n');
      return;
    }
    if (fault === 'empty_answer') {
      exchange.res.end('data: [DONE]\n\n');
      return;
    }
    const frames = exchange.frames();
    if (fault === 'reset_mid_stream' || fault === 'stall_mid_stream') {
      exchange.res.write(frames.slice(0, 3).join(''), () => {
        if (fault === 'reset_mid_stream') exchange.res.destroy();
      });
      return;
    }
    for (const frame of frames) exchange.res.write(frame);
    if (fault !== 'open_after_done') exchange.res.end();
  }
}
