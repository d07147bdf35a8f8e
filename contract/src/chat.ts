import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { ArrayOrString, characters, ModelName } from './common.js';
import { ContentSchema, MAX_TEXT_LENGTH, ReplyTextPartSchema } from './content.js';
import { errors, successEnvelope } from './envelope.js';

const c = initContract();

export const ChatMessageSchema = z.object({
  role: z.enum(['user', 'assistant', 'system']).describe('角色(user, assistant, system)'),
  content: ArrayOrString.of(ContentSchema, characters(1, MAX_TEXT_LENGTH)).describe('内容数组（text / image_url / video_url），或纯文本字符串'),
});
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

const chatCompletionFields = {
  model: ModelName.describe('模型名称，如"qwen-vl-max-latest"'),
  // OpenAI's own bound: a long chat sends its whole history, and 200 (the first bound here) is 100 turns.
  messages: z.array(ChatMessageSchema).min(1).max(2048).describe('消息历史（至多 2048 条）'),
  temperature: z.number().min(0).max(2).optional().describe('采样温度，范围0-2，默认1'),
  max_tokens: z.number().int().min(1).max(1_000_000).optional().describe('最大生成token数'),
  top_p: z.number().gt(0).max(1).optional(),
  stop: z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(4)]).optional(),
  seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
  presence_penalty: z.number().min(-2).max(2).optional(),
  enable_thinking: z.boolean().optional().describe('Qwen3 混合思考模型是否开启思考'),
  stream: z.boolean().optional().describe('true 时以 text/event-stream 返回 chat.completion.chunk 帧，以 data: [DONE] 结束'),
  conversation_id: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('可选：把 assistant 回复存入该对话（须为本人的对话）'),
};

/**
 * Strict, as OpenAI's API is ("Unrecognized request argument supplied"): a parameter we do not
 * forward (`response_format`, `tools`, `n`, …) was silently dropped before, so a caller asking for
 * JSON output or tools got a plain answer and no word why. Now it is a 400 naming it.
 */
export const ChatCompletionBodySchema = z
  .object(chatCompletionFields)
  .strict(`unsupported parameter: this endpoint takes ${Object.keys(chatCompletionFields).join(', ')}`);
export type ChatCompletionBody = z.infer<typeof ChatCompletionBodySchema>;

// Upstream's objects are relayed with every field they carry (`logprobs`, `prompt_tokens_details`,
// DashScope's own): what is named here is what is always there; the rest passes through.
const UPSTREAM_EXTRAS = '百炼返回的其它字段原样保留';

// Usage says so in the document only (`metaOpenApi`, read by @ts-rest/open-api): with .passthrough()
// its type would take an index signature that the openai SDK's CompletionUsage, which the server
// hands on, does not have.
// (.describe() makes a new schema, so it comes first.)
export const UsageSchema = Object.assign(
  z
    .object({
      prompt_tokens: z.number().int(),
      completion_tokens: z.number().int(),
      total_tokens: z.number().int(),
    })
    .describe(UPSTREAM_EXTRAS),
  { metaOpenApi: { additionalProperties: true } },
);
export type Usage = z.infer<typeof UsageSchema>;

export const ChatCompletionSchema = z
  .object({
    id: z.string(),
    object: z.literal('chat.completion'),
    created: z.number().int(),
    model: z.string(),
    choices: z.array(
      z
        .object({
          index: z.number().int(),
          message: z
            .object({
              role: z.literal('assistant'),
              content: z.array(ReplyTextPartSchema),
              // Null as well as absent: OpenAI-compatible servers write null for a field they have no value for.
              reasoning_content: z.string().nullable().optional(),
            })
            .passthrough()
            .describe(UPSTREAM_EXTRAS),
          finish_reason: z.string().nullable(),
        })
        .passthrough()
        .describe(UPSTREAM_EXTRAS),
    ),
    usage: UsageSchema.nullable().optional().describe('上游未给出可用的用量（三个整数）时为 null'),
  })
  .passthrough()
  .describe(UPSTREAM_EXTRAS);
export type ChatCompletion = z.infer<typeof ChatCompletionSchema>;

/** One `data:` frame of a streamed answer (OpenAI `chat.completion.chunk`). */
export const ChatCompletionChunkSchema = z
  .object({
    id: z.string(),
    object: z.literal('chat.completion.chunk'),
    created: z.number().int(),
    model: z.string(),
    choices: z.array(
      z
        .object({
          index: z.number().int(),
          delta: z
            .object({
              role: z.string().optional(),
              content: z.string().nullable().optional(),
              reasoning_content: z.string().nullable().optional(),
            })
            .passthrough()
            .describe(UPSTREAM_EXTRAS),
          finish_reason: z.string().nullable(),
        })
        .passthrough()
        .describe(UPSTREAM_EXTRAS),
    ),
    usage: UsageSchema.nullable().optional().describe('仅最后的 usage 帧（`choices: []`）有值；上游未给出可用的用量时为 null'),
  })
  .passthrough()
  .describe(`流式应答的一帧 data（chat.completion.chunk）。${UPSTREAM_EXTRAS}`);
export type ChatCompletionChunk = z.infer<typeof ChatCompletionChunkSchema>;

/** The last frame of a stream that failed after its status was sent, in place of `data: [DONE]`. */
export const ChatStreamErrorFrameSchema = z
  .object({
    error: z.object({
      message: z.string().describe('错误信息，同 JSON 应答的 message'),
      code: z.string().describe('错误码，同 api_calls 记录的 error_code（如 upstream_timeout）'),
    }),
  })
  .describe('流式应答在状态码发出后失败时的最后一帧，代替 data: [DONE]');
export type ChatStreamErrorFrame = z.infer<typeof ChatStreamErrorFrameSchema>;

export const chatContract = c.router({
  completions: {
    method: 'POST',
    path: '/api/bailian/chat/completions',
    summary: '调用AI模型（阿里云百炼代理）',
    description:
      '转发到百炼 OpenAI 兼容接口。`stream: true` 时返回 `text/event-stream`：每帧 `data: <chat.completion.chunk>`，最后一帧为 usage（`choices: []`），以 `data: [DONE]` 结束。',
    body: ChatCompletionBodySchema,
    responses: {
      200: successEnvelope(ChatCompletionSchema, '请求成功'),
      ...errors(400, 401, 403, 404, 413, 415, 429, 500, 503),
    },
  },
});
