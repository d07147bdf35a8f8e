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

const TOKEN_COUNTS = ['prompt_tokens', 'completion_tokens', 'total_tokens'] as const;

/**
 * Upstream's usage as the documented schema has it (three whole token counts, anything else it
 * adds kept), or null when it is something else: passed on as it came, 1e300 or "x" reached the
 * caller as counts our own contract says are integers.
 */
function usageOf(usage: unknown): OpenAI.CompletionUsage | null | undefined {
  if (usage === undefined || usage === null) return usage;
  const counts = usage as Record<string, unknown>;
  const valid =
    typeof usage === 'object' &&
    !Array.isArray(usage) &&
    TOKEN_COUNTS.every((key) => Number.isSafeInteger(counts[key]) && (counts[key] as number) >= 0);
  return valid ? (usage as OpenAI.CompletionUsage) : null;
}

/** Upstream's completion, every field kept, with each `message.content` turned into parts and garbage usage as null. */
export function presentCompletion(completion: OpenAI.ChatCompletion): ChatCompletion {
  const usage = usageOf(completion.usage);
  return {
    ...completion,
    ...(usage === undefined ? {} : { usage }),
    choices: completion.choices.map((choice) => ({
      ...choice,
      message: { ...choice.message, content: textParts(choice.message.content) },
    })),
  };
}
