import type { AppRoute } from '@ts-rest/core';
import express, { type Request, type RequestHandler } from 'express';

/** Why a request's body could not be read (malformed, too large, unsupported charset), kept until its route answers. */
const unreadable = new WeakMap<Request, unknown>();

/**
 * JSON bodies, parsed before routing. A body that cannot be read is not answered here: the error is
 * kept on the request and raised by the contract's routes once they are matched, so that
 * authentication answers first and the chat route records the call (every authenticated chat call
 * is recorded) before it fails. The routes outside the contract (health, docs, 404) read no body.
 */
export function parseJsonBody(limit: string): RequestHandler {
  const json = express.json({ limit });
  return (req, res, next) => {
    json(req, res, (err?: unknown) => {
      if (err) unreadable.set(req, err);
      next();
    });
  };
}

/** Fails the request with its body's error, if it has one. */
export const requireReadableBody: RequestHandler = (req, _res, next) => {
  next(unreadable.get(req));
};

/**
 * ts-rest's global middleware, after authentication: every route but `own` fails with its body's
 * error here; `own` puts `requireReadableBody` among its middleware where it wants it.
 */
export function requireReadableBodyExcept(own: AppRoute): RequestHandler {
  return (req, res, next) => {
    if (req.tsRestRoute === own) return next();
    requireReadableBody(req, res, next);
  };
}
