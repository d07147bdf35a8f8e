import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

const VALID_REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Gives every request an id (the caller's `X-Request-Id` when sane), echoes it back, and writes one
 * log line when the response is done with (whole, or cut short with `aborted: true`). One line a request keeps logging cheap on the hot path.
 */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    req.id = typeof incoming === 'string' && VALID_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    if (!logger.isLevelEnabled('info')) return next();
    const started = process.hrtime.bigint();
    // 'close' comes after 'finish' for a whole answer, and alone for one the client did not take
    // whole (it left, or the answer was cut short).
    res.on('close', () => {
      logger.info(
        {
          reqId: req.id,
          method: req.method,
          url: req.originalUrl,
          status: res.statusCode,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
          userId: req.auth?.userId,
          ...(res.writableFinished ? {} : { aborted: true }),
        },
        'request',
      );
    });
    next();
  };
}
