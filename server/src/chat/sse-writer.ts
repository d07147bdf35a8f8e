import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';

/**
 * Headers of a Server-Sent Events answer. `no-cache` and `X-Accel-Buffering: no` keep caches and
 * nginx-style proxies from holding frames back; the app never compresses, which would buffer too.
 */
export const SSE_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache',
  'X-Accel-Buffering': 'no',
} as const;

/**
 * Writes `data:` frames into a stream the route hands to the response. Each frame is written the
 * moment it is given; when the client reads slower than upstream writes, `data` waits for it to
 * catch up (or for `signal`, so a departed client never leaves it waiting).
 */
export class SseWriter {
  private readonly out = new PassThrough();

  constructor(private readonly signal: AbortSignal) {}

  get stream(): Readable {
    return this.out;
  }

  /** Writes frames, several in one write: one syscall and one packet for frames that came together. */
  async data(payloads: string[]): Promise<void> {
    let frames = '';
    for (const payload of payloads) frames += `data: ${payload}\n\n`;
    if (!this.out.write(frames)) await once(this.out, 'drain', { signal: this.signal });
  }

  /** Ends the stream after a last frame. */
  end(payload: string): void {
    this.out.end(`data: ${payload}\n\n`);
  }

  /** Drops the stream: nobody is reading it any more. */
  discard(): void {
    this.out.destroy();
  }
}
