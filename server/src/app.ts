import { contract } from '@bailian-chat/contract';
import { createExpressEndpoints, initServer } from '@ts-rest/express';
import cors from 'cors';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Server } from 'node:http';
import { sql } from 'kysely';
import { authRoutes } from './auth/auth-routes.js';
import { dummyPasswordHash } from './auth/passwords.js';
import { chatRoutes } from './chat/chat-routes.js';
import { conversationsRoutes } from './conversations/conversations-routes.js';
import { type AppDeps, serviceDeps } from './deps.js';
import { historyRoutes } from './history/history-routes.js';
import { requireAuth } from './http/auth-middleware.js';
import { answerClientErrors } from './http/client-errors.js';
import { docsRoutes } from './http/docs.js';
import { errorHandler, notFoundHandler, validationErrorHandler } from './http/error-middleware.js';
import { parseJsonBodies } from './http/json-body.js';
import { useLeanJson } from './http/lean-json.js';
import { usePrebuiltPrototypes } from './http/prebuilt-prototypes.js';
import { requestLog } from './http/request-log.js';
import { messagesRoutes } from './messages/messages-routes.js';
import { modelsRoutes } from './models/models-routes.js';

const s = initServer();

/** `work`'s answer, or a rejection once `ms` pass without one (`work` goes on, and its answer is dropped). */
function withinTime<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

function healthRoutes(app: Express, deps: AppDeps) {
  // Liveness: the process answers. The database is left out, or an outage of the database would
  // have every replica restarted, which mends nothing.
  app.get('/healthz', (_req, res) => {
    res.json({ code: 200, message: 'ok', data: { status: 'ok' } });
  });
  // Readiness: the database answers, within READYZ_TIMEOUT_MS. Behind a full pool or a server that
  // does not answer, the query itself fails only after DATABASE_CONNECT_TIMEOUT_MS, longer than a
  // probe waits: the probe would read its own timeout where it should read a 503.
  app.get('/readyz', async (_req, res) => {
    try {
      await withinTime(sql`select 1`.execute(deps.db), deps.config.readyzTimeoutMs);
      res.json({ code: 200, message: 'ok', data: { status: 'ready' } });
    } catch (err) {
      deps.logger.warn({ err }, 'not ready: the database does not answer');
      res.status(503).json({ code: 503, message: '数据库不可用', data: null });
    }
  });
}

/**
 * CORS for the origins in CORS_ORIGINS. A browser's script reads only the headers named here beside
 * the safelisted few: the request id, and what a 429 says about when to come back. A preflight is
 * remembered for 10 minutes, not Chrome's default 5 s, so a chat app does not pay an OPTIONS round
 * trip before most of its calls.
 */
function corsOptions(origins: string[]): cors.CorsOptions {
  return { origin: origins, exposedHeaders: ['X-Request-Id', 'Retry-After', 'RateLimit', 'RateLimit-Policy'], maxAge: 600 };
}

/** The app, plus what a stopping server needs of it. */
export type App = Express & {
  /** Ends the chat calls in flight properly (a grace period is over): see CallsInFlight. */
  endCallsInFlight(): void;
  /** Writes what is still buffered or on its way (API-call records) before the database closes. */
  drain(): Promise<void>;
};

/** Builds the whole HTTP app from its dependencies; `main.ts` is what listens. */
export function createApp(deps: AppDeps): App {
  const ctx = serviceDeps(deps);
  // Hash the dummy password now, so the first login of an unknown user costs no more than any other.
  void dummyPasswordHash();
  const app = express();
  usePrebuiltPrototypes(app);
  app.disable('x-powered-by');
  app.set('etag', false);
  // Our queries are flat key=value pairs: node's querystring parses them for a fraction of qs's cost.
  app.set('query parser', 'simple');
  useLeanJson(app, deps.logger);
  if (deps.config.trustProxy !== undefined) app.set('trust proxy', deps.config.trustProxy);

  app.use(requestLog(deps.logger));
  app.use(helmet());
  if (deps.config.corsOrigins.length) app.use(cors(corsOptions(deps.config.corsOrigins)));
  healthRoutes(app, deps);
  docsRoutes(app);

  const router = s.router(contract, {
    auth: authRoutes(ctx),
    conversations: conversationsRoutes(ctx),
    messages: messagesRoutes(ctx),
    chat: chatRoutes(ctx),
    history: historyRoutes(ctx),
    models: modelsRoutes(ctx),
  });
  createExpressEndpoints(contract, router, app, {
    globalMiddleware: [
      requireAuth(ctx),
      parseJsonBodies(deps.config.bodyLimit, { content: [contract.messages.send], own: [contract.chat.completions] }),
    ],
    requestValidationErrorHandler: validationErrorHandler,
    responseValidation: false,
    logInitialization: false,
  });

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  const listen = app.listen.bind(app) as (...args: unknown[]) => Server;
  return Object.assign(app, {
    // Whoever listens (main.ts, a test, an embedding app) gets requests Node's parser refuses
    // answered in our envelope too.
    listen: ((...args: unknown[]) => answerClientErrors(listen(...args))) as Express['listen'],
    endCallsInFlight: () => ctx.callsInFlight.endAll(),
    drain: () => ctx.apiCallWriter.drain(),
  });
}
