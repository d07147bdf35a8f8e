import type { ChatCompletion } from '@bailian-chat/contract';
import type OpenAI from 'openai';

export type TextParts = { type: 'text'; text: string }[];

/**
 * Text as this API writes content everywhere: a parts array (empty when there is no text). A lone
 * surrogate from upstream becomes U+FFFD, as in any text we store: a client that sent the reply
 * back in its next call's history would be refused for it.
 */
export function textParts(text: string | null | undefined): TextParts {
  return text ? [{ type: 'text', text: text.toWellFormed() }] : [];
}

/** How deep an upstream completion may nest: far past any real one, far short of a stack overflow. */
const MAX_COMPLETION_DEPTH = 64;

/** True when `value` nests objects or arrays deeper than `max` (walked level by level, no recursion). */
function nestedDeeperThan(value: unknown, max: number): boolean {
  let level: unknown[] = [value];
  for (let depth = 0; level.length; depth += 1) {
    if (depth > max) return true;
    const next: unknown[] = [];
    for (const item of level) {
      if (typeof item !== 'object' || item === null) continue;
      for (const child of Object.values(item)) if (typeof child === 'object' && child !== null) next.push(child);
    }
    level = next;
  }
  return false;
}

/**
 * True when upstream's 200 body is shaped like a completion: choices whose message content is
 * text (or nothing), nested no deeper than JSON.stringify can write back. Anything else counts
 * as malformed (503), never as our own failure (500).
 */
export function isCompletion(value: unknown): value is OpenAI.ChatCompletion {
  const choices = (value as { choices?: unknown } | null)?.choices;
  return (
    Array.isArray(choices) &&
    choices.every((c: { message?: { content?: unknown } } | null) => {
      const content = c?.message?.content;
      return typeof c?.message === 'object' && c.message !== null && (typeof content === 'string' || content == null);
    }) &&
    !nestedDeeperThan(value, MAX_COMPLETION_DEPTH)
  );
}

const isCount = (value: unknown) => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/**
 * Upstream's usage when its three counts are whole numbers, else null: the answer promises integers
 * there, and garbage (a string, an object, 1e300) is no count a client could use. (The call is then
 * recorded with 0 tokens.)
 */
function usableUsage(usage: unknown): OpenAI.CompletionUsage | null {
  const { prompt_tokens, completion_tokens, total_tokens } = (usage ?? {}) as Partial<Record<string, unknown>>;
  return isCount(prompt_tokens) && isCount(completion_tokens) && isCount(total_tokens) ? (usage as OpenAI.CompletionUsage) : null;
}

/**
 * Upstream's completion, every field kept, with each `message.content` turned into parts and a
 * usage that is not three counts answered as null.
 */
export function presentCompletion(completion: OpenAI.ChatCompletion): ChatCompletion {
  return {
    ...completion,
    ...('usage' in completion && { usage: usableUsage(completion.usage) }),
    choices: completion.choices.map((choice) => ({
      ...choice,
      message: { ...choice.message, content: textParts(choice.message.content) },
    })),
  };
}
