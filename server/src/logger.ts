import pino, { type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: undefined,
    // Never let a credential reach the logs, whatever object is logged.
    redact: ['req.headers.authorization', '*.password', '*.access_token', '*.refresh_token', '*.apiKey'],
  });
}
