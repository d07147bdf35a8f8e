import { loadConfig } from './config.js';
import { openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrator.js';
import { startupFailure } from './startup-failure.js';

try {
  const config = loadConfig();
  const db = openDatabase(config.databaseUrl, undefined, config.databasePool);
  const applied = await migrateToLatest(db);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  await db.destroy();
} catch (err) {
  console.error(startupFailure(err));
  process.exit(1);
}
