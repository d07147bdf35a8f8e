import { z } from 'zod';

/**
 * Every answer of the API, success or failure, is `{code, message, data}` with `code` equal to the
 * HTTP status. These helpers build the zod schemas for both halves so the contract, the OpenAPI
 * document and the typed client all agree on the shape.
 */
export function successEnvelope<T extends z.ZodTypeAny>(data: T, message: string) {
  return z.object({
    code: z.literal(200),
    message: z.string().describe(`成功时为「${message}」`),
    data,
  });
}

export const FieldErrorSchema = z.object({
  field: z.string().describe('出错字段的路径，如 `content.0.text`；整体错误时为空串'),
  message: z.string(),
});
export type FieldError = z.infer<typeof FieldErrorSchema>;

export const ErrorEnvelopeSchema = z.object({
  code: z.number().int().describe('与 HTTP 状态码相同'),
  message: z.string().describe('简短的中文错误说明'),
  data: z
    .object({ errors: z.array(FieldErrorSchema) })
    .nullable()
    .describe('400 时可给出字段错误；其它错误为 null'),
});
export type ErrorEnvelope = z.infer<typeof ErrorEnvelopeSchema>;

/**
 * Error statuses shared by many routes. Each route lists the ones the spec gives it and those its
 * answers can really have beyond the spec: 413 and 415 (a body too large, or in a charset or
 * Content-Encoding we do not read) wherever a body is read, 403 for a disabled account wherever a
 * token is needed, 429 where a rate limit applies.
 */
export const errorResponses = {
  400: ErrorEnvelopeSchema,
  401: ErrorEnvelopeSchema,
  403: ErrorEnvelopeSchema,
  404: ErrorEnvelopeSchema,
  409: ErrorEnvelopeSchema,
  413: ErrorEnvelopeSchema,
  415: ErrorEnvelopeSchema,
  429: ErrorEnvelopeSchema,
  500: ErrorEnvelopeSchema,
  503: ErrorEnvelopeSchema,
} as const;

type ErrorStatus = keyof typeof errorResponses;

export function errors<S extends ErrorStatus>(...statuses: S[]): { [K in S]: typeof ErrorEnvelopeSchema } {
  return Object.fromEntries(statuses.map((s) => [s, ErrorEnvelopeSchema])) as {
    [K in S]: typeof ErrorEnvelopeSchema;
  };
}

/** The Chinese messages the API answers with, keyed by meaning. */
export const Messages = {
  badRequest: '请求参数错误',
  unauthenticated: '未认证',
  invalidCredentials: '用户名或密码错误',
  userDisabled: '用户账户已被禁用',
  userExists: '用户名或邮箱已存在',
  invalidRefreshToken: '刷新令牌无效或已过期',
  conversationForbidden: '无权限访问该对话',
  conversationUpdateForbidden: '无权限修改该对话',
  conversationDeleteForbidden: '无权限删除该对话',
  messageSendForbidden: '无权限在该对话中发送消息',
  messagesReadForbidden: '无权限访问该对话的消息',
  messageDeleteForbidden: '无权限删除该消息',
  conversationNotFound: '对话不存在',
  messageNotFound: '消息不存在',
  notFound: '资源不存在',
  payloadTooLarge: '请求体过大',
  unsupportedBodyEncoding: '不支持请求体的字符集或压缩方式',
  rateLimited: '请求频率超限',
  upstreamUnavailable: '百炼API服务不可用',
  apiKeyMissing: '百炼API服务不可用：未配置 DASHSCOPE_API_KEY',
  serverStopping: '服务正在停止，请稍后重试',
  internal: '服务器内部错误',
} as const;
