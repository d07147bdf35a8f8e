import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { answerProblems } from './openapi-conformance.js';

/** Answers of this process's test apps that openapi.json does not describe, until taken. */
let violations: string[] = [];

/** The violations recorded since the last call, which forgets them. */
export function takeViolations(): string[] {
  const taken = violations;
  violations = [];
  return taken;
}

/**
 * Bodies past this size are not kept, and only their status and content type are checked: a test
 * answers pages of 27 messages of 20 MB each, more than one string can hold.
 */
const MAX_CHECKED_BODY = 32 * 1024 * 1024;

function asBuffer(chunk: unknown, encoding: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk);
  return Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
}

/**
 * Checks every answer `server` gives against openapi.json once it is over, and records what is
 * wrong with it. Runs ahead of the app's own listener, so it sees every byte the app writes.
 */
export function watchConformance(server: Server): void {
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    // Taken now: Express rewrites req.url for a router mounted under a path (as /docs is).
    const { method = 'GET', url = '/' } = req;
    let chunks: Buffer[] | undefined = [];
    let size = 0;
    const keep = (chunk: unknown, encoding: unknown) => {
      if (!chunks) return;
      const bytes = asBuffer(chunk, encoding);
      size += bytes.length;
      if (size > MAX_CHECKED_BODY) chunks = undefined;
      else chunks.push(bytes);
    };
    const write = res.write;
    const end = res.end;
    res.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
      keep(chunk, rest[0]);
      return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as ServerResponse['write'];
    res.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
      if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') keep(chunk, rest[0]);
      return (end as (...args: unknown[]) => ServerResponse).call(this, chunk, ...rest);
    } as ServerResponse['end'];
    res.once('close', () => {
      // No headers went out: the client left before there was an answer.
      if (!res.headersSent) return;
      const answer = {
        method,
        url,
        status: res.statusCode,
        contentType: res.getHeader('content-type')?.toString(),
        body: chunks ? Buffer.concat(chunks) : undefined,
        complete: res.writableFinished,
      };
      let problems: string[];
      try {
        problems = answerProblems(answer);
      } catch (err) {
        // Thrown here it would be an uncaught exception with no test to blame.
        problems = [`could not be checked: ${String(err)}`];
      }
      for (const problem of problems) violations.push(`${answer.method} ${answer.url} → ${answer.status}: ${problem}`);
    });
  });
}
