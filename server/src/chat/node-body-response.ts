import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';

/**
 * The most of an upstream body the proxy holds at once: a whole JSON answer, or one event of a
 * stream that has not ended yet. A Qwen reply is a few hundred kilobytes at most; this only stops
 * an endpoint that never stops (a wrong DASHSCOPE_BASE_URL, a broken gateway) from filling memory.
 */
export const MAX_UPSTREAM_BODY_BYTES = 64 * 1024 * 1024;

/** An upstream body (or one event of a stream) larger than the proxy holds. */
export class UpstreamBodyTooLargeError extends Error {
  constructor(limit: number) {
    super(`upstream answer larger than ${limit} bytes`);
  }
}

/**
 * Response, typed without the members NodeBodyResponse replaces: the DOM typings declare them as
 * properties, which TypeScript will not let a subclass redefine as accessors and methods.
 */
type ResponseWithoutBody = new (
  body: null,
  init: ResponseInit,
) => Omit<Response, 'body' | 'bodyUsed' | 'text' | 'json' | 'arrayBuffer' | 'blob' | 'formData' | 'clone'>;

/**
 * A fetch `Response` whose body is a node:http response, read the node way.
 *
 * Why: a WHATWG body is an adapter stack (Readable.toWeb, a ReadableStream, its reader and
 * promises) that every call of the proxy went through before anything read a byte of it. Here
 * `json()` and `text()` read the node stream straight, `body` builds the web stream only for a
 * caller that asks for it, and the chat relay reads a stream's frames off the node stream itself.
 * Whichever reads first consumes the body, as with any Response; here asking for `body` counts as
 * reading it, since the web stream takes the node stream's data from then on.
 */
export class NodeBodyResponse extends (Response as ResponseWithoutBody) {
  #webBody: ReadableStream<Uint8Array> | null | undefined;
  #used = false;

  /** `nodeBody` is null for a response that has no body (204, 304, HEAD, …). */
  constructor(
    readonly nodeBody: IncomingMessage | null,
    init: ResponseInit,
    private readonly maxBytes = MAX_UPSTREAM_BODY_BYTES,
  ) {
    super(null, init);
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.#webBody === undefined) {
      this.#webBody = this.nodeBody && (Readable.toWeb(this.take()) as ReadableStream<Uint8Array>);
    }
    return this.#webBody;
  }

  get bodyUsed(): boolean {
    return this.#used;
  }

  async text(): Promise<string> {
    return (await this.#readAll()).toString('utf8');
  }

  async json(): Promise<any> {
    return JSON.parse(await this.text());
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.#readAll();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  async blob(): Promise<Blob> {
    return new Blob([await this.#readAll()], { type: this.headers.get('content-type') ?? '' });
  }

  // Nothing that reads these answers (the SDK's chat calls) needs them; failing beats a silently empty body.
  async formData(): Promise<FormData> {
    throw new TypeError('NodeBodyResponse has no formData()');
  }

  clone(): Response {
    throw new TypeError('NodeBodyResponse cannot be cloned');
  }

  /** The whole body, read off the node stream; over the limit, the stream is dropped. */
  async #readAll(): Promise<Buffer> {
    if (!this.nodeBody) return Buffer.alloc(0);
    const body = this.take();
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > this.maxBytes) {
        body.destroy();
        throw new UpstreamBodyTooLargeError(this.maxBytes);
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks, size);
  }

  /** The node stream, to be read once: a second reader would find it drained. */
  take(): IncomingMessage {
    if (this.#used || !this.nodeBody) throw new TypeError('Body is unusable: it has already been read');
    this.#used = true;
    return this.nodeBody;
  }
}

/** The body of any fetch Response as a node stream: a NodeBodyResponse's own, another's adapted. */
export function readableBodyOf(response: Response): Readable | null {
  if (response instanceof NodeBodyResponse) return response.nodeBody && response.take();
  return response.body && Readable.fromWeb(response.body as import('node:stream/web').ReadableStream);
}
