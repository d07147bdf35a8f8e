/**
 * Splits a `text/event-stream` into the `data` of its events, fed text as it arrives, cut anywhere
 * (lines end in `\n`, `\r\n` or `\r`). Several `data:` lines of one event are joined with `\n`, as
 * EventSource does; comments and other fields are skipped; an event is complete at its blank line.
 * Shared by the server, which relays DashScope's stream, and the client SDK, which reads ours.
 */
export class SseDataSplitter {
  /**
   * The line not complete yet, in the pieces it came in, joined once it ends: a long line read in
   * many pieces was joined and searched again at each piece (16 MB in 64 KB reads: 1.8 s).
   */
  private pieces: string[] = [];
  private piecesLength = 0;
  /** The last text ended in \r: a \n that starts the next one ends the same line. */
  private afterCr = false;
  private data: string[] = [];
  private dataLength = 0;

  /** How many characters are held back: of a line, and of an event, not complete yet. */
  get held(): number {
    return this.piecesLength + this.dataLength;
  }

  /** The data of every event that `text` completes, in order. */
  push(text: string): string[] {
    const events: string[] = [];
    let start = this.afterCr && text.charCodeAt(0) === 10 ? 1 : 0;
    this.afterCr = false;
    // Where the next \r is, looked up again only once passed: most streams have none.
    let cr = text.indexOf('\r', start);
    for (;;) {
      if (cr !== -1 && cr < start) cr = text.indexOf('\r', start);
      const lf = text.indexOf('\n', start);
      const end = cr !== -1 && (lf === -1 || cr < lf) ? cr : lf;
      if (end === -1) break;
      this.line(this.completeLine(text.slice(start, end)), events);
      start = end + (end === cr && text.charCodeAt(end + 1) === 10 ? 2 : 1);
      if (end === cr && end === text.length - 1) this.afterCr = true;
    }
    if (start < text.length) {
      this.pieces.push(text.slice(start));
      this.piecesLength += text.length - start;
    }
    return events;
  }

  /** The line that `last` ends: the pieces held before it, and it. */
  private completeLine(last: string): string {
    if (!this.pieces.length) return last;
    this.pieces.push(last);
    const line = this.pieces.join('');
    this.pieces = [];
    this.piecesLength = 0;
    return line;
  }

  private line(line: string, events: string[]): void {
    if (line === '') {
      if (this.data.length) events.push(this.data.join('\n'));
      this.data = [];
      this.dataLength = 0;
    } else if (line.startsWith('data:')) {
      const data = line.slice(line.startsWith('data: ') ? 6 : 5);
      this.data.push(data);
      this.dataLength += data.length;
    }
  }
}
