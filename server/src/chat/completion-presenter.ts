import type { ChatCompletion } from '@bailian-chat/contract';
import type OpenAI from 'openai';

export type TextParts = { type: 'text'; text: string }[];

/** Text as this API writes content everywhere: a parts array (empty when there is no text). */
export function textParts(text: string | null | undefined): TextParts {
  return text ? [{ type: 'text', text }] : [];
}

/** True when upstream's 200 body is shaped like a completion; anything else counts as malformed. */
export function isCompletion(value: unknown): value is OpenAI.ChatCompletion {
  const choices = (value as { choices?: unknown } | null)?.choices;
  return (
    Array.isArray(choices) &&
    choices.every((c: { message?: unknown } | null) => typeof c?.message === 'object' && c.message !== null)
  );
}

/** Upstream's completion, every field kept, with each `message.content` turned into parts. */
export function presentCompletion(completion: OpenAI.ChatCompletion): ChatCompletion {
  return {
    ...completion,
    choices: completion.choices.map((choice) => ({
      ...choice,
      message: { ...choice.message, content: textParts(choice.message.content) },
    })),
  };
}
