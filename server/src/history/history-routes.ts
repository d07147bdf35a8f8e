import { contract } from '@bailian-chat/contract';
import { initServer } from '@ts-rest/express';
import type { ServiceDeps } from '../deps.js';
import { callerOf } from '../http/auth-middleware.js';
import { ok } from '../http/respond.js';
import * as history from './history-service.js';

const s = initServer();

export function historyRoutes(deps: ServiceDeps) {
  return s.router(contract.history, {
    apiCalls: async ({ query, req }) => ok(await history.apiCalls(deps, callerOf(req).userId, query), '获取成功'),
    statistics: async ({ query, req }) => ok(await history.statistics(deps, callerOf(req).userId, query), '获取成功'),
  });
}
