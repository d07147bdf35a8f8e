import { type AppRoute, isAppRouteNoBody } from '@ts-rest/core';
import express, { type Request, type RequestHandler } from 'express';
import { isUtf8 } from 'node:buffer';
import { bodyShapeProblem } from './body-shape.js';
import { BadRequestError } from './errors.js';

/**
 * The most a body of a few fields (credentials, a title, a refresh token) needs, with room to
 * spare. Only routes that carry message content, whose `data:` URLs may each be 10 MB, take the
 * whole BODY_LIMIT: 20 MB of `[{},{},…]` keeps the event loop busy for seconds.
 */
const FIELDS_BODY_LIMIT = 64 * 1024;

/**
 * A UTF-8 body must be UTF-8: the decoder would turn bytes that are not (a Latin-1 `é`) into
 * U+FFFD, and the text stored would silently differ from the text sent. Thrown from body-parser's
 * `verify`, the error keeps its status and reaches the error handler.
 */
function refuseInvalidUtf8(_req: unknown, _res: unknown, body: Buffer, encoding: string): void {
  if (encoding === 'utf-8' && !isUtf8(body)) throw new BadRequestError([], '请求体不是有效的 UTF-8');
}

function refuseBadShapes(req: Request): BadRequestError | undefined {
  const problem = bodyShapeProblem(req.body);
  return problem ? new BadRequestError([problem]) : undefined;
}

/**
 * Parses a JSON body of at most `limit` bytes; what cannot be read goes to the error handler (400,
 * 413, 415), and so does a body that is not UTF-8, is past BODY_SHAPE_LIMITS or holds a string
 * that is not Unicode (400).
 */
export function jsonBody(limit: number): RequestHandler {
  const parse = express.json({ limit, verify: refuseInvalidUtf8 });
  return (req, res, next) => parse(req, res, (err?: unknown) => next(err ?? refuseBadShapes(req)));
}

export interface BodyRoutes {
  /** Routes whose bodies carry message content: BODY_LIMIT. */
  content: AppRoute[];
  /** Routes that parse their own body in their middleware, where they want it. */
  own: AppRoute[];
}

/** GET routes and those the contract gives `c.noBody()` (logout, deletes). */
const takesNoBody = (route: AppRoute) => route.method === 'GET' || ('body' in route && isAppRouteNoBody(route.body));

/**
 * ts-rest's global middleware, after authentication: a body is parsed only once the route is
 * known and its caller authenticated, so no anonymous request makes us parse anything but a
 * public route's small body, and an unknown route parses nothing. Nor does a route that takes no
 * body: what a client sent there anyway is ignored, rather than answered with a 400, 413 or 415
 * that such a route does not document.
 */
export function parseJsonBodies(bodyLimit: number, routes: BodyRoutes): RequestHandler {
  const content = new Set(routes.content);
  const own = new Set(routes.own);
  const contentBody = jsonBody(bodyLimit);
  const fieldsBody = jsonBody(Math.min(bodyLimit, FIELDS_BODY_LIMIT));
  return (req, res, next) => {
    const route = req.tsRestRoute;
    if (route && (own.has(route) || takesNoBody(route))) return next();
    (route && content.has(route) ? contentBody : fieldsBody)(req, res, next);
  };
}
