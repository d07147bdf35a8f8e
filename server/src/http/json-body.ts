import type { AppRoute } from '@ts-rest/core';
import express, { type Request, type RequestHandler } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BadRequestError } from './errors.js';

/**
 * The most a body of a few fields (credentials, a title, a refresh token) needs, with room to
 * spare. Only routes that carry message content, whose `data:` URLs may each be 10 MB, take the
 * whole BODY_LIMIT: 20 MB of `[{},{},…]` keeps the event loop busy for seconds.
 */
const FIELDS_BODY_LIMIT = 64 * 1024;

/**
 * Bodies whose text holds a `\ud…` escape. Parsed from UTF-8, a body can hold a lone UTF-16
 * surrogate only through such an escape (`\ud800`–`\udfff`); the escapes also cover Hangul and,
 * from clients that escape all but ASCII, every emoji, so their strings are then checked.
 */
const escapedBodies = new WeakSet<IncomingMessage>();

function noteEscapes(req: IncomingMessage, _res: ServerResponse, body: Buffer): void {
  if (body.includes('\\ud') || body.includes('\\uD')) escapedBodies.add(req);
}

/** A value met while walking a body, with the way to it (for the field an error names). */
interface Visit {
  value: unknown;
  key: string;
  parent: Visit | null;
}

/** Keys an error names at the most: a path into a deeply nested body could be megabytes long. */
const MAX_PATH_KEYS = 32;

function pathOf(visit: Visit): string {
  const keys: string[] = [];
  for (let at: Visit | null = visit; at?.parent; at = at.parent) keys.push(at.key);
  keys.reverse();
  return keys.length > MAX_PATH_KEYS ? `${keys.slice(0, MAX_PATH_KEYS).join('.')}.…` : keys.join('.');
}

/**
 * The path (`content.0.text`) of the first string in `body` that holds a lone surrogate, if any.
 * A loop, not a recursion: JSON.parse builds arrays nested a million deep, past any call stack.
 */
function loneSurrogatePath(body: unknown): string | null {
  const pending: Visit[] = [{ value: body, key: '', parent: null }];
  for (let visit = pending.pop(); visit; visit = pending.pop()) {
    const { value } = visit;
    if (typeof value === 'string') {
      if (!value.isWellFormed()) return pathOf(visit);
    } else if (typeof value === 'object' && value !== null) {
      // Pushed last to first, so that the first in the document is the first found.
      const entries = Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i -= 1) pending.push({ value: entries[i]![1], key: entries[i]![0], parent: visit });
    }
  }
  return null;
}

/**
 * A string with a lone surrogate is not Unicode: SQLite would store it as bytes that are not
 * UTF-8 (and send them back), PostgreSQL as U+FFFD. Such a body is refused, as any malformed one.
 */
function refuseLoneSurrogates(req: Request): BadRequestError | undefined {
  if (!escapedBodies.has(req)) return undefined;
  const field = loneSurrogatePath(req.body);
  return field === null ? undefined : new BadRequestError([{ field, message: 'must be valid Unicode: it holds a lone UTF-16 surrogate' }]);
}

/**
 * Parses a JSON body of at most `limit` bytes; what cannot be read goes to the error handler (400,
 * 413, 415), and so does a body with a string that is not valid Unicode (400).
 */
export function jsonBody(limit: number): RequestHandler {
  const parse = express.json({ limit, verify: noteEscapes });
  return (req, res, next) => parse(req, res, (err?: unknown) => next(err ?? refuseLoneSurrogates(req)));
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
