import type { Kysely } from 'kysely';

/**
 * The rollup counted an API call recorded without a model (model_name '', the all-models key)
 * twice in the all-models rows. Forgetting the zone it was built in makes the next start-up
 * rebuild it from the raw rows with the corrected tally.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.updateTable('stats_rollup_state').set({ timezone: null, built_at: null }).execute();
}
