import type { Db } from '@bailian-chat/server';
import { request, type JsonResponse } from './http.js';

let counter = 0;

export interface NewUser {
  username: string;
  email: string;
  password: string;
  nickname?: string;
  phone?: string;
}

/** A registration body no other test of this process uses. */
export function uniqueUser(prefix = 'u', extra: Partial<NewUser> = {}): NewUser {
  counter += 1;
  const username = `${prefix}_${process.pid}_${counter}`;
  return { username, email: `${username}@example.com`, password: `Correct-Horse-${counter}-Battery`, ...extra };
}

export function register(base: string, body: unknown): Promise<JsonResponse> {
  return request(base, 'POST', '/api/auth/register', { body });
}

export function login(base: string, username: string, password: string): Promise<JsonResponse> {
  return request(base, 'POST', '/api/auth/login', { body: { username, password } });
}

export function refresh(base: string, refreshToken: string): Promise<JsonResponse> {
  return request(base, 'POST', '/api/auth/refresh', { body: { refresh_token: refreshToken } });
}

export function currentUser(base: string, accessToken: string): Promise<JsonResponse> {
  return request(base, 'GET', '/api/auth/user', { token: accessToken });
}

export function logout(base: string, accessToken: string): Promise<JsonResponse> {
  return request(base, 'POST', '/api/auth/logout', { token: accessToken });
}

/** Registers `user` and logs in, failing loudly if either step does not succeed. */
export async function registerAndLogin(base: string, user: NewUser = uniqueUser()) {
  const reg = await register(base, user);
  if (reg.status !== 200) throw new Error(`register failed: ${reg.text}`);
  const res = await login(base, user.username, user.password);
  if (res.status !== 200) throw new Error(`login failed: ${res.text}`);
  return {
    user,
    userId: reg.body.data.user_id as number,
    accessToken: res.body.data.access_token as string,
    refreshToken: res.body.data.refresh_token as string,
  };
}

/** Disables (0) or re-enables (1) an account the way an administrator would, in the database. */
export async function setUserStatus(db: Db, userId: number, status: number): Promise<void> {
  await db.updateTable('users').set({ status }).where('id', '=', userId).execute();
}
