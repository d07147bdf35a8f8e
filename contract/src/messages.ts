import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { IdParam, PaginationSchema, Timestamp, pageQuery } from './common.js';
import { AnsweredContentSchema, ContentSchema, ContentType } from './content.js';
import { errors, successEnvelope } from './envelope.js';

const c = initContract();

export const MessageRole = z.enum(['user', 'assistant', 'system']);

export const MessageSchema = z.object({
  message_id: z.number().int(),
  conversation_id: z.number().int(),
  user_id: z.number().int().describe('发送者；assistant 回复为 0'),
  role: MessageRole,
  content_type: ContentType,
  content: AnsweredContentSchema,
  status: z.number().int().describe('1 正常，2 不完整（流式回复被中断）'),
  created_at: Timestamp,
});
export type Message = z.infer<typeof MessageSchema>;

export const SendMessageBodySchema = z.object({ content: ContentSchema });

export const ListMessagesQuerySchema = z.object({
  ...pageQuery(20),
  order: z.enum(['asc', 'desc']).default('asc').describe('asc：时间正序（默认，第1页为最早）；desc：最新在前'),
});

const conversationPath = z.object({ conversation_id: IdParam.describe('对话ID') });

export const messagesContract = c.router({
  send: {
    method: 'POST',
    path: '/api/conversations/:conversation_id/messages',
    summary: '发送消息',
    pathParams: conversationPath,
    body: SendMessageBodySchema,
    responses: { 200: successEnvelope(MessageSchema, '发送成功'), ...errors(400, 401, 403, 404, 413, 415, 500) },
  },
  list: {
    method: 'GET',
    path: '/api/conversations/:conversation_id/messages',
    summary: '获取消息历史',
    pathParams: conversationPath,
    query: ListMessagesQuerySchema,
    responses: {
      200: successEnvelope(z.object({ messages: z.array(MessageSchema), pagination: PaginationSchema }), '获取成功'),
      ...errors(400, 401, 403, 404, 500),
    },
  },
  delete: {
    method: 'DELETE',
    path: '/api/messages/:message_id',
    summary: '删除消息',
    pathParams: z.object({ message_id: IdParam.describe('消息ID') }),
    body: c.noBody(),
    responses: { 200: successEnvelope(z.null(), '删除成功'), ...errors(400, 401, 403, 404, 500) },
  },
});
