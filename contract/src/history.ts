import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { DateString, ModelName, PaginationSchema, Timestamp, pageQuery } from './common.js';
import { errors, successEnvelope } from './envelope.js';

const c = initContract();

const dateRange = {
  start_date: DateString.optional().describe('开始日期(YYYY-MM-DD)，含当天，按服务端 STATS_TIMEZONE'),
  end_date: DateString.optional().describe('结束日期(YYYY-MM-DD)，含当天'),
};

export const ApiCallSchema = z.object({
  id: z.number().int(),
  user_id: z.number().int(),
  conversation_id: z.number().int().nullable(),
  message_id: z.number().int().nullable(),
  model_name: z.string(),
  api_endpoint: z.string(),
  status_code: z.number().int(),
  request_tokens: z.number().int(),
  response_tokens: z.number().int(),
  total_tokens: z.number().int(),
  call_duration: z.number().int().describe('整个请求耗时（毫秒）'),
  client_ip: z.string().nullable(),
  created_at: Timestamp,
  upstream_request_id: z.string().nullable().describe('百炼返回的 request id'),
  stream: z.boolean().describe('是否为流式调用'),
  error_code: z.string().nullable().describe('失败时的错误码'),
});
export type ApiCall = z.infer<typeof ApiCallSchema>;

export const ListApiCallsQuerySchema = z.object({
  ...pageQuery(10),
  model_name: ModelName.optional().describe('按模型名称筛选'),
  ...dateRange,
});

export const StatisticsQuerySchema = z.object({
  ...dateRange,
  model_name: ModelName.optional().describe('按模型名称筛选'),
});

const Counts = {
  conversation_count: z.number().int(),
  message_count: z.number().int(),
  token_count: z.number().int(),
};

export const StatisticsSchema = z.object({
  total_conversations: z.number().int(),
  total_messages: z.number().int(),
  total_tokens: z.number().int(),
  model_statistics: z.array(z.object({ model_name: z.string(), ...Counts })),
  daily_statistics: z.array(z.object({ date: z.string().describe('YYYY-MM-DD'), ...Counts })),
});
export type Statistics = z.infer<typeof StatisticsSchema>;

export const historyContract = c.router({
  apiCalls: {
    method: 'GET',
    path: '/api/history/api-calls',
    summary: '查询API调用历史（最新在前）',
    query: ListApiCallsQuerySchema,
    responses: {
      200: successEnvelope(z.object({ api_calls: z.array(ApiCallSchema), pagination: PaginationSchema }), '获取成功'),
      ...errors(400, 401, 403, 500),
    },
  },
  statistics: {
    method: 'GET',
    path: '/api/history/conversations/statistics',
    summary: '查询对话历史统计',
    query: StatisticsQuerySchema,
    responses: { 200: successEnvelope(StatisticsSchema, '获取成功'), ...errors(400, 401, 403, 500) },
  },
});
