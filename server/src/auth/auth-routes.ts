import { contract } from '@bailian-chat/contract';
import { initServer } from '@ts-rest/express';
import type { ServiceDeps } from '../deps.js';
import { callerOf } from '../http/auth-middleware.js';
import { ok } from '../http/respond.js';
import * as auth from './auth-service.js';
import { loginFailureLimiters, registerLimiter } from './rate-limits.js';

const s = initServer();

export function authRoutes(deps: ServiceDeps) {
  return s.router(contract.auth, {
    register: {
      middleware: [registerLimiter(deps.config)],
      handler: async ({ body }) => ok(await auth.register(deps, body), '注册成功'),
    },
    login: {
      middleware: loginFailureLimiters(deps.config, deps.db),
      handler: async ({ body, req }) =>
        ok(await auth.login(deps, body, { ip: req.ip, userAgent: req.headers['user-agent'] }), '登录成功'),
    },
    logout: async ({ req }) => {
      await auth.logout(deps, callerOf(req));
      return ok(null, '登出成功');
    },
    refresh: async ({ body }) => ok(await auth.refresh(deps, body.refresh_token), 'Token刷新成功'),
    me: async ({ req }) => ok(await auth.currentUser(deps, callerOf(req)), '获取成功'),
  });
}
