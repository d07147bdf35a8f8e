import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import * as initial from './migrations/2026-11-24-001-initial.js';
import * as messageSequence from './migrations/2026-11-25-001-message-sequence.js';
import * as conversationCounts from './migrations/2026-11-25-002-conversation-counts.js';
import * as statsRollup from './migrations/2026-11-26-001-stats-rollup.js';
import * as rebuildStatsRollup from './migrations/2026-11-27-001-rebuild-stats-rollup.js';

/**
 * Migrations are imported statically rather than read from a folder, so they work the same from
 * src/ under vitest and from dist/ in production. Add each new dated file here, in order.
 */
const migrations: Record<string, Migration> = {
  '2026-11-24-001-initial': initial,
  '2026-11-25-001-message-sequence': messageSequence,
  '2026-11-25-002-conversation-counts': conversationCounts,
  '2026-11-26-001-stats-rollup': statsRollup,
  '2026-11-27-001-rebuild-stats-rollup': rebuildStatsRollup,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
