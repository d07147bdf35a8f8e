import type { ChatCompletion } from '@bailian-chat/contract';
import { randomUUID } from 'node:crypto';
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

const isText = (value: unknown): value is string => typeof value === 'string';
const isTextOrNothing = (value: unknown) => value == null || isText(value);
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** True when a message or delta carries its reply as text (or nothing): what is stored and shown of it. */
const carriesText = (part: Record<string, unknown>) => isTextOrNothing(part.content) && isTextOrNothing(part.reasoning_content);

/**
 * True when upstream's 200 body is shaped like a completion: choices whose message carries text
 * (or nothing), nested no deeper than JSON.stringify can write back. Anything else counts as
 * malformed (503), never as our own failure (500). The fields that only say what the answer is
 * (id, created, model, index, finish_reason) are filled in when missing (presentCompletion).
 */
export function isCompletion(value: unknown): value is OpenAI.ChatCompletion {
  const choices = (value as { choices?: unknown } | null)?.choices;
  return (
    Array.isArray(choices) &&
    choices.every((choice) => isObject(choice) && isObject(choice.message) && carriesText(choice.message)) &&
    !nestedDeeperThan(value, MAX_COMPLETION_DEPTH)
  );
}

/** The same of a streamed chunk: choices (if any) whose delta (if any) carries text. */
export function isChunk(value: unknown): value is OpenAI.ChatCompletionChunk {
  if (!isObject(value)) return false;
  const { choices } = value;
  return (
    (choices === undefined || (Array.isArray(choices) && choices.every((c) => isObject(c) && (c.delta === undefined || (isObject(c.delta) && carriesText(c.delta)))))) &&
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
 * What an answer says of itself where upstream left a documented field out (or wrote something of
 * the wrong type there): one id, time and model for all of a call's answer, so that every chunk of
 * a stream names the same completion.
 */
export interface AnswerIdentity {
  id: string;
  created: number;
  model: string;
}

export function answerIdentity(model: string, upstreamRequestId: string | null): AnswerIdentity {
  return { id: `chatcmpl-${upstreamRequestId ?? randomUUID()}`, created: Math.floor(Date.now() / 1000), model };
}

type Answer = { id?: unknown; created?: unknown; model?: unknown };

function identityOf<O extends string>(answer: Answer, object: O, identity: AnswerIdentity) {
  return {
    id: isText(answer.id) ? answer.id : identity.id,
    object,
    created: Number.isSafeInteger(answer.created) ? (answer.created as number) : identity.created,
    model: isText(answer.model) ? answer.model : identity.model,
  };
}

/** A choice's index (else its place in the list) and its finish_reason (else null: not finished). */
function choiceFields(choice: { index?: unknown; finish_reason?: unknown }, place: number) {
  return {
    index: Number.isSafeInteger(choice.index) ? (choice.index as number) : place,
    finish_reason: isText(choice.finish_reason) ? choice.finish_reason : null,
  };
}

/**
 * Upstream's completion, every field kept, with each `message.content` turned into parts, a usage
 * that is not three counts answered as null, and the documented fields upstream left out filled in.
 */
export function presentCompletion(completion: OpenAI.ChatCompletion, identity: AnswerIdentity): ChatCompletion {
  return {
    ...completion,
    ...identityOf(completion, 'chat.completion', identity),
    ...('usage' in completion && { usage: usableUsage(completion.usage) }),
    choices: completion.choices.map((choice, place) => ({
      ...choice,
      ...choiceFields(choice, place),
      message: { ...choice.message, role: 'assistant', content: textParts(choice.message.content) },
    })),
  };
}

/** `original` itself when it already holds each of `fields`, else a copy with them. */
function withFields<T extends object>(original: T, fields: Partial<T>): T {
  const same = Object.entries(fields).every(([key, value]) => original[key as keyof T] === value);
  return same ? original : { ...original, ...fields };
}

function presentChunkChoice(choice: OpenAI.ChatCompletionChunk.Choice, place: number): OpenAI.ChatCompletionChunk.Choice {
  const delta = choice.delta ?? {};
  return withFields(choice, {
    ...choiceFields(choice, place),
    delta: delta.role === undefined || isText(delta.role) ? delta : { ...delta, role: 'assistant' },
  } as Partial<OpenAI.ChatCompletionChunk.Choice>);
}

/**
 * A streamed chunk as the contract documents it, filled in as a completion is (see
 * presentCompletion). A chunk that needs nothing is handed back itself, so that its payload can be
 * relayed as upstream wrote it.
 */
export function presentChunk(chunk: OpenAI.ChatCompletionChunk, identity: AnswerIdentity): OpenAI.ChatCompletionChunk {
  const choices = chunk.choices ?? [];
  const presented = choices.map(presentChunkChoice);
  return withFields(chunk, {
    ...identityOf(chunk, 'chat.completion.chunk', identity),
    choices: presented.every((choice, i) => choice === choices[i]) ? choices : presented,
    ...('usage' in chunk && chunk.usage !== null && { usage: usableUsage(chunk.usage) }),
  });
}
