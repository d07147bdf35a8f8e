import { SseDataSplitter } from '@bailian-chat/contract';
import { describe, expect, it } from 'vitest';

/** Every event's data, the stream fed in exactly these pieces; one list per piece. */
function split(pieces: string[]): string[][] {
  const splitter = new SseDataSplitter();
  return pieces.map((piece) => splitter.push(piece));
}

describe('SseDataSplitter', () => {
  it('completes an event at its blank line, in whichever piece that comes', () => {
    expect(split(['data: a\n', '\ndata: b\n\ndata: c', '\n\n'])).toEqual([[], ['a', 'b'], ['c']]);
  });

  it('takes \\n, \\r\\n and \\r line ends, also when a piece ends between \\r and \\n', () => {
    // A piece that ends in \r ends its line there; a \n that starts the next piece is the same line end.
    expect(split(['data: a\r', '\n\r', '\ndata: b\r\rdata: c\n\n'])).toEqual([[], ['a'], ['b', 'c']]);
    expect(split(['data: a\r', '\n', '\r\n'])).toEqual([[], [], ['a']]);
    expect(split(['data: a\r\n\r\n'])).toEqual([['a']]);
  });

  it('joins the data lines of one event, with or without the space after the colon', () => {
    expect(split(['data: {"a":\ndata:1}\n\n'])).toEqual([['{"a":\n1}']]);
  });

  it('skips comments, other fields and events without data', () => {
    expect(split([': keep-alive\n\nevent: ping\nid: 3\nretry: 10\n\ndata: x\n\n'])).toEqual([['x']]);
  });

  it('keeps an event that has not ended for the next piece', () => {
    const splitter = new SseDataSplitter();
    expect(splitter.push('data: a\n')).toEqual([]);
    expect(splitter.push('data: b\n\n')).toEqual(['a\nb']);
  });
});
