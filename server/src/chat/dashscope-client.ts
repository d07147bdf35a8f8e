import type { ChatCompletionBody } from '@bailian-chat/contract';
import OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { createNodeHttpFetch } from './node-http-fetch.js';

/** The OpenAI-compatible client of DashScope; `null` when no API key is configured. */
export type DashScope = OpenAI | null;

/** Built once per app: the SDK keeps its connection pool and retry policy for the app's life. */
export function createDashScopeClient(config: Config['dashscope'], logger: Logger): DashScope {
  if (!config.apiKey) return null;
  return new OpenAI({
    apiKey: config.apiKey,
    baseURL: config.baseUrl,
    timeout: config.timeoutMs,
    maxRetries: config.maxRetries,
    fetch: createNodeHttpFetch(config.timeoutMs),
    // The SDK's own warnings go to our structured log instead of the console.
    logger: logger.child({ component: 'dashscope' }),
  });
}

/**
 * The body DashScope receives: the caller's validated fields as they are, minus what only this
 * API understands (`conversation_id`) and `stream`, which the caller of this function decides.
 * `enable_thinking` stays a top-level field, where DashScope's compatible mode expects it, and
 * `video_url` parts (with `fps`) pass unchanged although OpenAI's types do not know them.
 */
export function upstreamParams(body: ChatCompletionBody): ChatCompletionCreateParamsNonStreaming {
  const { conversation_id: _conversationId, stream: _stream, ...params } = body;
  return params as ChatCompletionCreateParamsNonStreaming;
}
