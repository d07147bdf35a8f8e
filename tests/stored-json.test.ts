import { describe, expect, it } from 'vitest';
import { serializeAnswer, storedJson, storedJsonRead, type StoredText } from '../server/src/http/stored-json.js';

/** The answer as one string, as it is when no value in it is read later. */
function stringifyAnswer(body: unknown): string {
  const answer = serializeAnswer(body);
  if (typeof answer !== 'string') throw new Error('expected the answer as one string');
  return answer;
}

/** The answer written out: each piece in order, read ones once read. */
async function written(pieces: StoredText[]): Promise<string> {
  let answer = '';
  for (const piece of pieces) answer += typeof piece === 'string' ? piece : await piece();
  return answer;
}

const parts = [{ type: 'text', text: '你好 "quoted" \\ back\nline \u2028' }, { type: 'image_url', image_url: { url: 'https://x/y.png' } }];
const stored = JSON.stringify(parts);

describe('stored JSON in answers', () => {
  it('writes each stored value as its own text, in its place, among ordinary values', () => {
    const body = {
      code: 200,
      data: {
        messages: [1, 2, 3].map((id) => ({ id, content: storedJson(JSON.stringify([{ type: 'text', text: `m${id}` }])), after: 'x' })),
        pagination: { page: 1 },
      },
    };
    const answer = stringifyAnswer(body);
    expect(answer).toContain(`"content":[{"type":"text","text":"m2"}],"after":"x"`);
    expect(JSON.parse(answer)).toEqual({
      code: 200,
      data: {
        messages: [1, 2, 3].map((id) => ({ id, content: [{ type: 'text', text: `m${id}` }], after: 'x' })),
        pagination: { page: 1 },
      },
    });
  });

  it('keeps escapes, quotes and line separators of the stored text exactly', () => {
    expect(stringifyAnswer({ content: storedJson(stored) })).toBe(`{"content":${stored}}`);
  });

  it('leaves strings that look like its placeholder alone', () => {
    const body = { text: '"~00000000000000000000000000000000"', content: storedJson(stored) };
    expect(JSON.parse(stringifyAnswer(body))).toEqual({ text: body.text, content: parts });
  });

  it('is the parsed value to anything else that serializes it', () => {
    expect(JSON.parse(JSON.stringify({ content: storedJson(stored) }))).toEqual({ content: parts });
  });

  it('answers as JSON.stringify does for bodies without stored values', () => {
    for (const body of [null, 'text', 0, [1, 'a'], { a: { b: [null] } }]) expect(stringifyAnswer(body)).toBe(JSON.stringify(body));
    expect(stringifyAnswer(undefined)).toBe('');
  });

  it('recovers after a body that fails to serialize', () => {
    const cyclic: Record<string, unknown> = { content: storedJson(stored) };
    cyclic.self = cyclic;
    expect(() => stringifyAnswer(cyclic)).toThrow(TypeError);
    expect(JSON.stringify({ content: storedJson(stored) })).toBe(`{"content":${stored}}`);
  });

  it('gives the answer in pieces when a value is read later, each read text in its place', async () => {
    const read = (text: string) => async () => text;
    const body = {
      messages: [
        { id: 1, content: storedJson(stored) },
        { id: 2, content: storedJsonRead(read('[{"type":"text","text":"later"}]')) },
        { id: 3, content: storedJson('[]') },
        { id: 4, content: storedJsonRead(read(stored)) },
      ],
      after: 'x',
    };
    const pieces = serializeAnswer(body);
    expect(Array.isArray(pieces)).toBe(true);
    // Every text read later is a piece of its own; the ones at hand are joined with what surrounds them.
    expect((pieces as StoredText[]).filter((piece) => typeof piece !== 'string')).toHaveLength(2);
    expect(JSON.parse(await written(pieces as StoredText[]))).toEqual({
      messages: [
        { id: 1, content: parts },
        { id: 2, content: [{ type: 'text', text: 'later' }] },
        { id: 3, content: [] },
        { id: 4, content: parts },
      ],
      after: 'x',
    });
  });

  it('gives a long stored text as a piece of its own, not joined to the Chinese of the envelope (that doubled it, two bytes a character)', async () => {
    const image = JSON.stringify([{ type: 'image_url', image_url: { url: `data:image/png;base64,${'A'.repeat(4 * 1024 * 1024)}` } }]);
    const body = { code: 200, message: '发送成功', data: { message_id: 1, content: storedJson(image), status: 1 } };
    const pieces = serializeAnswer(body) as StoredText[];
    expect(Array.isArray(pieces)).toBe(true);
    expect(pieces).toHaveLength(3);
    expect(pieces[1]).toBe(image);
    expect(await written(pieces)).toBe(JSON.stringify({ ...body, data: { ...body.data, content: JSON.parse(image) } }));
    // A short one is still joined to what surrounds it.
    expect(typeof serializeAnswer({ ...body, data: { content: storedJson(stored) } })).toBe('string');
  });

  it('refuses to serialize a value read later outside an answer', () => {
    expect(() => JSON.stringify({ content: storedJsonRead(async () => stored) })).toThrow(TypeError);
  });
});
