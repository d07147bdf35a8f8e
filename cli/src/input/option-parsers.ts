import { DateString } from '@bailian-chat/contract';
import { InvalidArgumentError } from 'commander';

/**
 * Argument parsers for commander: a bad value becomes commander's own "invalid argument" error,
 * which the CLI reports as a usage error (exit code 2) before any request is made.
 */
export function integerInRange(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) {
      throw new InvalidArgumentError(
        max === Number.MAX_SAFE_INTEGER ? `expected an integer of at least ${min}.` : `expected an integer from ${min} to ${max}.`,
      );
    }
    return n;
  };
}

/** Ids and page numbers. */
export const positiveInteger = integerInRange(1);

export function isoDate(value: string): string {
  if (!DateString.safeParse(value).success) {
    throw new InvalidArgumentError('expected a date as YYYY-MM-DD.');
  }
  return value;
}

/** For repeatable options (`--image a.png --image b.png`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
