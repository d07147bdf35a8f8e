import type { AppRoute } from '@ts-rest/core';
import express, { type RequestHandler } from 'express';

/**
 * The most a body of a few fields (credentials, a title, a refresh token) needs, with room to
 * spare. Only routes that carry message content, whose `data:` URLs may each be 10 MB, take the
 * whole BODY_LIMIT: 20 MB of `[{},{},…]` keeps the event loop busy for seconds.
 */
const FIELDS_BODY_LIMIT = 64 * 1024;

/** Parses a JSON body of at most `limit` bytes; what cannot be read goes to the error handler (400, 413, 415). */
export function jsonBody(limit: number): RequestHandler {
  return express.json({ limit });
}

export interface BodyRoutes {
  /** Routes whose bodies carry message content: BODY_LIMIT. */
  content: AppRoute[];
  /** Routes that parse their own body in their middleware, where they want it. */
  own: AppRoute[];
}

/**
 * ts-rest's global middleware, after authentication: a body is parsed only once the route is
 * known and its caller authenticated, so no anonymous request makes us parse anything but a
 * public route's small body, and an unknown route parses nothing.
 */
export function parseJsonBodies(bodyLimit: number, routes: BodyRoutes): RequestHandler {
  const content = new Set(routes.content);
  const own = new Set(routes.own);
  const contentBody = jsonBody(bodyLimit);
  const fieldsBody = jsonBody(Math.min(bodyLimit, FIELDS_BODY_LIMIT));
  return (req, res, next) => {
    const route = req.tsRestRoute;
    if (route && own.has(route)) return next();
    (route && content.has(route) ? contentBody : fieldsBody)(req, res, next);
  };
}
