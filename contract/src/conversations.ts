import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { characters, IdParam, ModelName, PaginationSchema, Timestamp, pageQuery, withoutNul } from './common.js';
import { errors, successEnvelope } from './envelope.js';

const c = initContract();

export const DEFAULT_TITLE = '新对话';
const Title = withoutNul(characters(1, 200, {}, z.string().trim()));

export const ConversationSchema = z.object({
  conversation_id: z.number().int(),
  title: z.string(),
  model_name: z.string(),
  status: z.number().int().describe('1 正常'),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Conversation = z.infer<typeof ConversationSchema>;

export const CreateConversationBodySchema = z.object({
  title: Title.optional().describe('对话标题，默认为「新对话」'),
  model_name: ModelName.describe('使用的AI模型名称，须在服务端允许的模型列表中'),
});

export const UpdateConversationBodySchema = z.object({
  title: Title.optional().describe('对话标题'),
});

export const ListConversationsQuerySchema = z.object({
  ...pageQuery(10),
  model_name: ModelName.optional().describe('按模型名称筛选'),
});

const conversationPath = { conversation_id: IdParam.describe('对话ID') };

export const conversationsContract = c.router({
  create: {
    method: 'POST',
    path: '/api/conversations',
    summary: '创建对话',
    body: CreateConversationBodySchema,
    responses: { 200: successEnvelope(ConversationSchema, '创建成功'), ...errors(400, 401, 403, 413, 415, 500) },
  },
  list: {
    method: 'GET',
    path: '/api/conversations',
    summary: '获取对话列表（最近更新在前）',
    query: ListConversationsQuerySchema,
    responses: {
      200: successEnvelope(
        z.object({ conversations: z.array(ConversationSchema), pagination: PaginationSchema }),
        '获取成功',
      ),
      ...errors(400, 401, 403, 500),
    },
  },
  get: {
    method: 'GET',
    path: '/api/conversations/:conversation_id',
    summary: '获取对话详情',
    pathParams: z.object(conversationPath),
    responses: { 200: successEnvelope(ConversationSchema, '获取成功'), ...errors(400, 401, 403, 404, 500) },
  },
  update: {
    method: 'PUT',
    path: '/api/conversations/:conversation_id',
    summary: '更新对话',
    pathParams: z.object(conversationPath),
    body: UpdateConversationBodySchema,
    responses: { 200: successEnvelope(ConversationSchema, '更新成功'), ...errors(400, 401, 403, 404, 413, 415, 500) },
  },
  delete: {
    method: 'DELETE',
    path: '/api/conversations/:conversation_id',
    summary: '删除对话（软删除）',
    pathParams: z.object(conversationPath),
    body: c.noBody(),
    responses: { 200: successEnvelope(z.null(), '删除成功'), ...errors(400, 401, 403, 404, 500) },
  },
});
