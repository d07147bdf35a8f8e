import { Messages, type FieldError } from '@bailian-chat/contract';
import { RequestValidationError } from '@ts-rest/express';
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { ZodError } from 'zod';
import { isConnectTimeout, isLockTimeout } from '../db/errors.js';
import { ApiError } from './errors.js';
import { errorBody } from './respond.js';

/** One error a field; a strict object's unknown keys are one issue at the object, made one error per key here. */
function fieldErrors(error: ZodError | null): FieldError[] {
  return (error?.issues ?? []).flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((key) => ({ field: [...i.path, key].join('.'), message: i.message }))
      : [{ field: i.path.join('.'), message: i.message }],
  );
}

/** Field errors an answer lists at the most: 999 bad parts of a 20-part array give 1,000 of them. */
const MAX_FIELD_ERRORS = 100;

/** ts-rest's request validation failure → 400 in our envelope, listing the bad fields (the first 100). */
export const validationErrorHandler = (err: RequestValidationError, _req: unknown, res: import('express').Response) => {
  const errors = [err.pathParams, err.headers, err.query, err.body].flatMap(fieldErrors).slice(0, MAX_FIELD_ERRORS);
  res.status(400).json(errorBody(400, Messages.badRequest, { errors }));
};

export const notFoundHandler: RequestHandler = (_req, res) => {
  res.status(404).json(errorBody(404, Messages.notFound));
};

/**
 * A client that went away before its body was read: it left while authentication waited for the
 * database (a busy PostgreSQL pool makes that wait long enough to see), and Node destroyed the
 * request. body-parser calls this a 500 'stream is not readable', but nothing went wrong here: it
 * is the same as a client leaving mid-body ('request.aborted'), and there is nobody to answer.
 * Not logged as an error; a chat call is still recorded, as abandoned (499).
 */
function clientLeftBeforeBody(res: Response): void {
  res.destroy();
}

/**
 * What a request that got no database connection in time logs: every connection of the pool was
 * held (a long transaction, a lock, too few connections for the load) or the server did not answer.
 */
const NO_DATABASE_CONNECTION = 'no database connection within DATABASE_CONNECT_TIMEOUT_MS (pool busy or database not answering)';

/** What a request whose statement waited for a lock another transaction held, and gave up, logs. */
const LOCK_NOT_GRANTED = 'database lock not granted within DATABASE_LOCK_TIMEOUT_MS (held by another transaction)';

/** The log line of a 500: the database's state when that is what failed, not a bug in the code. */
function whatFailed(err: unknown): string {
  if (isConnectTimeout(err)) return NO_DATABASE_CONNECTION;
  if (isLockTimeout(err)) return LOCK_NOT_GRANTED;
  return 'unhandled error';
}

/** The last middleware: whatever went wrong, the client gets our envelope and nothing internal. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (err instanceof RequestValidationError) return validationErrorHandler(err, req, res);
    if (err instanceof ApiError) {
      res.set(err.headers).status(err.status).json(errorBody(err.status, err.message, err.data));
      return;
    }
    // body-parser's errors carry a `type` and an HTTP status.
    const type = (err as { type?: string }).type;
    if (type === 'stream.not.readable' && req.destroyed) return clientLeftBeforeBody(res);
    if (type === 'entity.too.large') {
      res.status(413).json(errorBody(413, Messages.payloadTooLarge));
      return;
    }
    if (type === 'entity.parse.failed') {
      res.status(400).json(errorBody(400, '请求体不是有效的 JSON'));
      return;
    }
    // A charset or Content-Encoding body-parser does not read (koi8-r, br).
    if (type === 'charset.unsupported' || type === 'encoding.unsupported') {
      res.status(415).json(errorBody(415, Messages.unsupportedBodyEncoding));
      return;
    }
    const status = (err as { status?: number }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json(errorBody(status, Messages.badRequest));
      return;
    }
    logger.error({ err, reqId: req.id }, whatFailed(err));
    res.status(500).json(errorBody(500, Messages.internal));
  };
}
