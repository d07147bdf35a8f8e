import { contract } from '@bailian-chat/contract';
import { initServer } from '@ts-rest/express';
import type { ServiceDeps } from '../deps.js';
import { ok } from '../http/respond.js';
import { listModels } from './models-service.js';

const s = initServer();

export function modelsRoutes(deps: ServiceDeps) {
  return s.router(contract.models, {
    list: async () => ok(listModels(deps.config), '获取成功'),
  });
}
