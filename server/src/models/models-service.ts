import { Messages } from '@bailian-chat/contract';
import type { Config } from '../config.js';
import { BadRequestError } from '../http/errors.js';

/** Qwen's vision-language families take image and video parts. */
export function isVisionModel(model: string): boolean {
  return /(^|-)vl(-|$)|^qvq|omni/i.test(model);
}

export function listModels(config: Config) {
  const names = config.allowedModels ?? [];
  return {
    models: names.map((model_name) => ({ model_name, vision: isVisionModel(model_name) })),
    any_model_allowed: config.allowedModels === null,
  };
}

export function isModelAllowed(config: Config, model: string): boolean {
  return config.allowedModels === null || config.allowedModels.includes(model);
}

/** 400 naming the field when a model is not on ALLOWED_MODELS. */
export function assertModelAllowed(config: Config, model: string, field: string): void {
  if (!isModelAllowed(config, model)) {
    throw new BadRequestError([{ field, message: `不支持的模型：${model}` }], Messages.badRequest);
  }
}
