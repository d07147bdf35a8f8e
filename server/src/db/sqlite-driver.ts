import { createRequire } from 'node:module';
import type SQLite from 'better-sqlite3';

const require = createRequire(import.meta.url);

/**
 * better-sqlite3 12 wraps its objects in Node's legacy ObjectWrap, whose destructor aborts the
 * process on Node >= 24.19 when a statement is garbage-collected outside a JS context (and at exit).
 * Version 13 is built on Node-API and is safe there, but it needs Node >= 22 (it crashes on 20).
 * So each Node gets the build that works on it; both have the same API. Version 13 is installed
 * under the alias `better-sqlite3-napi` and ships prebuilt binaries, so it never compiles.
 */
export function loadSqlite(nodeMajor = Number(process.versions.node.split('.')[0])): typeof SQLite {
  return require(nodeMajor >= 22 ? 'better-sqlite3-napi' : 'better-sqlite3') as typeof SQLite;
}
