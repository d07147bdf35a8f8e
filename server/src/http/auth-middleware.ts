import type { RequestHandler } from 'express';
import type { AppRoute } from '@ts-rest/core';
import { PUBLIC_ROUTES } from '@bailian-chat/contract';
import { authenticate, type Caller } from '../auth/auth-service.js';
import type { ServiceDeps } from '../deps.js';

/**
 * Runs for every contract route (ts-rest's global middleware, which sees the matched route) and
 * demands a live access token on all but the public ones. It runs before body validation, so an
 * anonymous caller learns nothing about the body rules.
 */
export function requireAuth(deps: ServiceDeps): RequestHandler {
  const publicRoutes = new Set<AppRoute>(PUBLIC_ROUTES);
  return (req, _res, next) => {
    const route = req.tsRestRoute;
    if (route && publicRoutes.has(route)) return next();
    authenticate(deps, req.headers.authorization).then((claims) => {
      req.auth = claims;
      next();
    }, next);
  };
}

/** The authenticated caller of a route behind requireAuth. */
export function callerOf(req: { auth?: Caller }): Caller {
  if (!req.auth) throw new Error('route reached without authentication');
  return req.auth;
}
