/**
 * Splits a `text/event-stream` into the `data` of its events, fed text as it arrives, cut anywhere
 * (lines end in `\n`, `\r\n` or `\r`). Several `data:` lines of one event are joined with `\n`, as
 * EventSource does; comments and other fields are skipped; an event is complete at its blank line.
 * Shared by the server, which relays DashScope's stream, and the client SDK, which reads ours.
 */
export class SseDataSplitter {
  private buffer = '';
  private data: string[] = [];

  /** How many characters are held back: of a line, and of an event, not complete yet. */
  get held(): number {
    let held = this.buffer.length;
    for (const line of this.data) held += line.length;
    return held;
  }

  /** The data of every event that `text` completes, in order. */
  push(text: string): string[] {
    const buffer = this.buffer + text;
    const events: string[] = [];
    let start = 0;
    // Where the next \r is, looked up again only once passed: most streams have none.
    let cr = buffer.indexOf('\r');
    for (;;) {
      if (cr !== -1 && cr < start) cr = buffer.indexOf('\r', start);
      const lf = buffer.indexOf('\n', start);
      const end = cr !== -1 && (lf === -1 || cr < lf) ? cr : lf;
      // A trailing \r may be the first half of a \r\n still on its way.
      if (end === -1 || (end === cr && end === buffer.length - 1)) break;
      this.line(buffer.slice(start, end), events);
      start = end + (end === cr && buffer.charCodeAt(end + 1) === 10 ? 2 : 1);
    }
    this.buffer = buffer.slice(start);
    return events;
  }

  private line(line: string, events: string[]): void {
    if (line === '') {
      if (this.data.length) events.push(this.data.join('\n'));
      this.data = [];
    } else if (line.startsWith('data:')) {
      this.data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
    }
  }
}
