import { contract } from '@bailian-chat/contract';
import { initServer } from '@ts-rest/express';
import type { ServiceDeps } from '../deps.js';
import { callerOf } from '../http/auth-middleware.js';
import { ok } from '../http/respond.js';
import * as messages from './messages-service.js';

const s = initServer();

export function messagesRoutes(deps: ServiceDeps) {
  return s.router(contract.messages, {
    send: async ({ params, body, req }) =>
      ok(await messages.sendMessage(deps, callerOf(req).userId, params.conversation_id, body.content), '发送成功'),
    list: async ({ params, query, req }) =>
      ok(await messages.listMessages(deps, callerOf(req).userId, params.conversation_id, query), '获取成功'),
    delete: async ({ params, req }) => {
      await messages.deleteMessage(deps, callerOf(req).userId, params.message_id);
      return ok(null, '删除成功');
    },
  });
}
