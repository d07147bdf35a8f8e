import type { Db } from '../db/database.js';
import { prepareQuery } from '../db/prepared-query.js';
import type { NewSession, SessionRow } from '../db/schema.js';

export async function insertSession(db: Db, session: NewSession): Promise<number> {
  const row = await db.insertInto('sessions').values(session).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export function findSessionByTokenHash(db: Db, hash: string): Promise<SessionRow | undefined> {
  return db.selectFrom('sessions').selectAll().where('refresh_token_hash', '=', hash).executeTakeFirst();
}

export async function findSessionIdByRetiredHash(db: Db, hash: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('retired_refresh_tokens')
    .select('session_id')
    .where('token_hash', '=', hash)
    .executeTakeFirst();
  return row?.session_id;
}

/**
 * What every authenticated request needs to know: is the session live, and is its user (id) enabled
 * (status). Only those two columns: the SQLite driver of Node >= 22 pays for every column it returns.
 *
 * Written as a lookup by a scalar subquery rather than a join: the SQLite of better-sqlite3 13
 * (3.54) spends about ten times longer executing the two-table join than these two key lookups.
 */
export function liveSessionUserQuery(db: Db) {
  return prepareQuery(db, 2, (sessionId: number, now: string) =>
    db
      .selectFrom('users')
      .select(['id', 'status'])
      .where('id', '=', (eb) =>
        eb
          .selectFrom('sessions')
          .select('sessions.user_id')
          .where('sessions.id', '=', sessionId)
          .where('sessions.revoked_at', 'is', null)
          .where('sessions.expires_at', '>', now),
      ),
  );
}

export async function revokeSession(db: Db, sessionId: number, at: string): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ revoked_at: at })
    .where('id', '=', sessionId)
    .where('revoked_at', 'is', null)
    .execute();
}

export async function touchSession(db: Db, sessionId: number, at: string): Promise<void> {
  await db.updateTable('sessions').set({ last_used_at: at }).where('id', '=', sessionId).execute();
}

/**
 * Swaps the session's refresh token for a new one and remembers the old hash, so a replay of the
 * old token can be recognised. Returns false when another request rotated it first.
 */
export async function rotateRefreshToken(
  db: Db,
  sessionId: number,
  oldHash: string,
  newHash: string,
  at: string,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('sessions')
      .set({ refresh_token_hash: newHash, last_used_at: at })
      .where('id', '=', sessionId)
      .where('refresh_token_hash', '=', oldHash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return false;
    await trx.insertInto('retired_refresh_tokens').values({ token_hash: oldHash, session_id: sessionId, retired_at: at }).execute();
    return true;
  });
}
