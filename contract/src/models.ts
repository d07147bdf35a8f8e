import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { errors, successEnvelope } from './envelope.js';

const c = initContract();

export const ModelInfoSchema = z.object({
  model_name: z.string(),
  vision: z.boolean().describe('是否接受图片 / 视频输入'),
});

export const ModelListSchema = z.object({
  models: z.array(ModelInfoSchema),
  any_model_allowed: z.boolean().describe('服务端 ALLOWED_MODELS 为 * 时为 true：列表之外的模型也可使用'),
});

export const modelsContract = c.router({
  list: {
    method: 'GET',
    path: '/api/models',
    summary: '可用模型列表（规范之外的扩展，供客户端选择模型）',
    responses: { 200: successEnvelope(ModelListSchema, '获取成功'), ...errors(500) },
  },
});
