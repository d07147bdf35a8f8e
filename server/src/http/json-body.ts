import type { AppRoute } from '@ts-rest/core';
import express, { type Request, type RequestHandler } from 'express';
import { bodyShapeProblem } from './body-shape.js';
import { BadRequestError } from './errors.js';

/**
 * The most a body of a few fields (credentials, a title, a refresh token) needs, with room to
 * spare. Only routes that carry message content, whose `data:` URLs may each be 10 MB, take the
 * whole BODY_LIMIT: 20 MB of `[{},{},…]` keeps the event loop busy for seconds.
 */
const FIELDS_BODY_LIMIT = 64 * 1024;

function refuseBadShapes(req: Request): BadRequestError | undefined {
  const problem = bodyShapeProblem(req.body);
  return problem ? new BadRequestError([problem]) : undefined;
}

/**
 * Parses a JSON body of at most `limit` bytes; what cannot be read goes to the error handler (400,
 * 413, 415), and so does a body past BODY_SHAPE_LIMITS or with a string that is not Unicode (400).
 */
export function jsonBody(limit: number): RequestHandler {
  const parse = express.json({ limit });
  return (req, res, next) => parse(req, res, (err?: unknown) => next(err ?? refuseBadShapes(req)));
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
