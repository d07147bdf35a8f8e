import type { Db } from '../db/database.js';
import { perDatabase, prepareQuery } from '../db/prepared-query.js';
import type { NewUser, UserRow } from '../db/schema.js';

export async function insertUser(db: Db, user: NewUser): Promise<UserRow> {
  return db.insertInto('users').values(user).returningAll().executeTakeFirstOrThrow();
}

export function findUserByLogin(db: Db, login: string): Promise<UserRow | undefined> {
  const key = login.toLowerCase();
  const column = key.includes('@') ? 'email' : 'username_key';
  return db.selectFrom('users').selectAll().where(column, '=', key).executeTakeFirst();
}

// GET /api/auth/user reads the caller's row on every call: compiled once per database.
const userById = perDatabase((db: Db) =>
  prepareQuery(db, 1, (id: number) => db.selectFrom('users').selectAll().where('id', '=', id)),
);

export function findUserById(db: Db, id: number): Promise<UserRow | undefined> {
  return userById(db)(id);
}

export async function userExists(db: Db, usernameKey: string, email: string): Promise<boolean> {
  const row = await db
    .selectFrom('users')
    .select('id')
    .where((eb) => eb.or([eb('username_key', '=', usernameKey), eb('email', '=', email)]))
    .executeTakeFirst();
  return row !== undefined;
}

export async function recordLogin(db: Db, id: number, at: string, newPasswordHash?: string): Promise<void> {
  await db
    .updateTable('users')
    .set({ last_login_at: at, ...(newPasswordHash ? { password_hash: newPasswordHash, updated_at: at } : {}) })
    .where('id', '=', id)
    .execute();
}

export async function setUserStatus(db: Db, id: number, status: number): Promise<void> {
  await db.updateTable('users').set({ status }).where('id', '=', id).execute();
}
