import type { FieldError } from '@bailian-chat/contract';

/**
 * Bounds on a parsed JSON body, checked before the contract's schemas run. zod 3 checks every
 * element of an array even past its `max`, with an error of its own for each: 20 MB of `[0,0,…]`
 * (20 KB gzipped) made millions of them, enough to exhaust the heap. The longest array the
 * contract takes is a chat's 2,048 messages; a chat of 2,048 text messages holds about 12,000
 * values, one of 200 messages of 20 parts about 17,000 at a depth of 6. (The values bound is below
 * what 2,048 messages of 20 parts could hold: it is also what bounds the time zod takes.)
 */
export const BODY_SHAPE_LIMITS = { depth: 32, arrayLength: 2_048, values: 50_000 } as const;

/** One container being walked: its keys (an array's are its indexes), and the next to look at. */
interface Frame {
  container: object;
  keys: string[] | null;
  next: number;
  /** The key of this container in its parent ('' at the top). */
  key: string;
}

/** The field named by `key` in the innermost of `frames` (the depth limit keeps it short). */
function pathOf(frames: Frame[], key: string): string {
  // A key that is not Unicode is named as well as it can be: the answer must be valid UTF-8.
  return [...frames.slice(1).map((frame) => frame.key), key].map((k) => k.toWellFormed()).join('.');
}

function frameOf(container: object, key: string): Frame {
  return { container, keys: Array.isArray(container) ? null : Object.keys(container), next: 0, key };
}

/** What the walk says about one value: a problem, or null (and a container to walk into). */
function valueProblem(value: unknown): string | null {
  if (typeof value === 'string') {
    // Not Unicode: SQLite would store it as bytes that are not UTF-8 (and send them back),
    // PostgreSQL as U+FFFD. One-byte strings (ASCII, data: URLs) answer at once.
    return value.isWellFormed() ? null : 'must be valid Unicode: it holds a lone UTF-16 surrogate';
  }
  if (Array.isArray(value) && value.length > BODY_SHAPE_LIMITS.arrayLength) {
    return `must have at most ${BODY_SHAPE_LIMITS.arrayLength} items`;
  }
  return null;
}

/**
 * The first thing in `body` past BODY_SHAPE_LIMITS or not Unicode (a string or a key with a lone
 * surrogate), as the field error to answer; null when there is none. A loop with one frame per
 * open container, not a recursion: JSON.parse builds arrays nested a million deep.
 */
export function bodyShapeProblem(body: unknown): FieldError | null {
  const top = valueProblem(body);
  if (top) return { field: '', message: top };
  if (typeof body !== 'object' || body === null) return null;
  const frames: Frame[] = [frameOf(body, '')];
  let values = 1;
  while (frames.length) {
    const frame = frames.at(-1)!;
    const { container, keys } = frame;
    const count = keys ? keys.length : (container as unknown[]).length;
    if (frame.next === count) {
      frames.pop();
      continue;
    }
    const key = keys ? keys[frame.next]! : String(frame.next);
    frame.next += 1;
    const value = (container as Record<string, unknown>)[key];
    values += 1;
    if (values > BODY_SHAPE_LIMITS.values) return { field: '', message: `must hold at most ${BODY_SHAPE_LIMITS.values} values` };
    const problem = keys && !key.isWellFormed() ? 'must be valid Unicode: its name holds a lone UTF-16 surrogate' : valueProblem(value);
    if (problem) return { field: pathOf(frames, key), message: problem };
    if (typeof value === 'object' && value !== null) {
      if (frames.length === BODY_SHAPE_LIMITS.depth) {
        return { field: pathOf(frames, key), message: `must be nested at most ${BODY_SHAPE_LIMITS.depth} deep` };
      }
      frames.push(frameOf(value, key));
    }
  }
  return null;
}
