import { contract } from '@bailian-chat/contract';
import { initServer } from '@ts-rest/express';
import type { ServiceDeps } from '../deps.js';
import { callerOf } from '../http/auth-middleware.js';
import { ok } from '../http/respond.js';
import * as conversations from './conversations-service.js';

const s = initServer();

export function conversationsRoutes(deps: ServiceDeps) {
  return s.router(contract.conversations, {
    create: async ({ body, req }) =>
      ok(await conversations.createConversation(deps, callerOf(req).userId, body), '创建成功'),
    list: async ({ query, req }) =>
      ok(await conversations.listConversations(deps, callerOf(req).userId, query), '获取成功'),
    get: async ({ params, req }) =>
      ok(await conversations.getConversation(deps, callerOf(req).userId, params.conversation_id), '获取成功'),
    update: async ({ params, body, req }) =>
      ok(
        await conversations.updateConversation(deps, callerOf(req).userId, params.conversation_id, body),
        '更新成功',
      ),
    delete: async ({ params, req }) => {
      await conversations.deleteConversation(deps, callerOf(req).userId, params.conversation_id);
      return ok(null, '删除成功');
    },
  });
}
