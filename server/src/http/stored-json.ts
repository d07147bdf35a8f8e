import { randomBytes } from 'node:crypto';

/** The JSON texts of stored values met by the answer being serialized, in the order met; null between answers. */
let met: string[] | null = null;

/**
 * Stands in the serialized answer for a stored value until the value's text replaces it. It holds
 * 128 random bits of this process, which no stored or submitted string can know, and starts with a
 * character that JSON seldom has: the search for it skips ahead, where one for `"` stops at every key.
 */
const PLACEHOLDER = `~${randomBytes(16).toString('hex')}`;

/** See `storedJson`. */
class StoredJson {
  constructor(readonly text: string) {}

  toJSON(): unknown {
    if (!met) return JSON.parse(this.text);
    met.push(this.text);
    return PLACEHOLDER;
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

/** `JSON.stringify(body)`, with the text of every `storedJson` value in `body` written as it is. */
export function stringifyAnswer(body: unknown): string {
  const texts: string[] = [];
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
  let answer = '';
  for (let i = 0; i <= last; i++) {
    answer += pieces[i]!.slice(i === 0 ? 0 : 1, i === last ? undefined : -1);
    if (i < last) answer += texts[i];
  }
  return answer;
}
