import { randomBytes } from 'node:crypto';

/** A stored value's JSON text, or how to read it when the answer gets to it (see `storedJsonRead`). */
export type StoredText = string | (() => Promise<string>);

/** The texts of stored values met by the answer being serialized, in the order met; null between answers. */
let met: StoredText[] | null = null;

/**
 * Stands in the serialized answer for a stored value until the value's text replaces it. It holds
 * 128 random bits of this process, which no stored or submitted string can know, and starts with a
 * character that JSON seldom has: the search for it skips ahead, where one for `"` stops at every key.
 */
const PLACEHOLDER = `~${randomBytes(16).toString('hex')}`;

/** See `storedJson`. */
class StoredJson {
  constructor(readonly text: StoredText) {}

  toJSON(): unknown {
    if (met) {
      met.push(this.text);
      return PLACEHOLDER;
    }
    if (typeof this.text !== 'string') throw new TypeError('a stored value that is read later can only be written in an answer');
    return JSON.parse(this.text);
  }
}

/**
 * A value that the database keeps as JSON text written by our own `JSON.stringify` (a message's
 * content parts), to be sent in an answer as that text. Parsing it only for `res.json` to
 * serialize it again was a tenth of the CPU of a page of history. It is typed as the value it
 * stands for because, to anything else that serializes it, it is that value: `toJSON` parses it.
 */
export function storedJson<T>(text: string): T {
  return new StoredJson(text) as unknown as T;
}

/**
 * `storedJson` for a text too large to hold with the rest of its answer: `read` is called when the
 * answer is written and reaches it, so an answer holds one such text at a time, however many it has.
 */
export function storedJsonRead<T>(read: () => Promise<string>): T {
  return new StoredJson(read) as unknown as T;
}

/**
 * A stored text this long is written as a piece of its own, not joined to the rest of the answer.
 * The rest holds the envelope's Chinese message, so V8 would make the joined string two bytes a
 * character: a 4 MB image in a message doubled in memory, and converting it to UTF-8 took most of
 * the time of sending it.
 */
const SEPARATE_TEXT_LENGTH = 64 * 1024;

/**
 * `JSON.stringify(body)`, with the text of every stored value in `body` written as it is: one
 * string, or the answer's pieces in order, when a value is read later (the texts of those values
 * are the functions that read them) or is long.
 */
export function serializeAnswer(body: unknown): string | StoredText[] {
  const texts: StoredText[] = [];
  met = texts;
  let json: string;
  try {
    json = JSON.stringify(body) ?? '';
  } finally {
    met = null;
  }
  if (!texts.length) return json;
  // JSON.stringify calls toJSON in the order it writes, so the nth placeholder is the nth text.
  // Each placeholder was written as a JSON string: the quotes that close one piece and open the
  // next go with it.
  const pieces = json.split(PLACEHOLDER);
  const last = pieces.length - 1;
  const answer: StoredText[] = [];
  let written = '';
  for (let i = 0; i <= last; i++) {
    written += pieces[i]!.slice(i === 0 ? 0 : 1, i === last ? undefined : -1);
    if (i === last) break;
    const text = texts[i]!;
    if (typeof text === 'string' && text.length < SEPARATE_TEXT_LENGTH) {
      written += text;
    } else {
      answer.push(written, text);
      written = '';
    }
  }
  if (!answer.length) return written;
  answer.push(written);
  return answer;
}
