export { createApp, type App } from './app.js';
export { ConfigError, loadConfig, type Config } from './config.js';
export { openDatabase, type Db } from './db/database.js';
export { migrateToLatest } from './db/migrator.js';
export type { AppDeps } from './deps.js';
export { createLogger } from './logger.js';
export { openApiDocument } from './http/openapi-document.js';
