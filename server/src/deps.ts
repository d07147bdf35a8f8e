import { createSecretKey, type KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import { liveSessionUserQuery } from './auth/sessions-repository.js';
import { AccessTokenVerifier } from './auth/tokens.js';
import { CallsInFlight } from './chat/calls-in-flight.js';
import { ApiCallWriter } from './history/api-call-writer.js';
import type { Config } from './config.js';
import type { Db } from './db/database.js';

/** Everything the app is built from; tests build their own. */
export interface AppDeps {
  config: Config;
  db: Db;
  logger: Logger;
}

/** What services receive: the app's deps plus values derived from them once at start-up. */
export interface ServiceDeps extends AppDeps {
  /** The JWT secret as a key object, made once: an HMAC over raw bytes imports the key every time. */
  jwtKey: KeyObject;
  /** Checks access tokens, remembering the ones already verified. */
  accessTokens: AccessTokenVerifier;
  /** Where API-call records go: batched, so a burst of answers costs one transaction. */
  apiCallWriter: ApiCallWriter;
  /** The chat calls being answered, for a stopping server to end properly. */
  callsInFlight: CallsInFlight;
  /** The session + user lookup of every authenticated request, compiled once. */
  findLiveSessionUser: ReturnType<typeof liveSessionUserQuery>;
}

export function serviceDeps(deps: AppDeps): ServiceDeps {
  const jwtKey = createSecretKey(Buffer.from(deps.config.jwtSecret, 'utf8'));
  return {
    ...deps,
    jwtKey,
    accessTokens: new AccessTokenVerifier(jwtKey),
    findLiveSessionUser: liveSessionUserQuery(deps.db),
    apiCallWriter: new ApiCallWriter(deps.db, deps.logger),
    callsInFlight: new CallsInFlight(),
  };
}
