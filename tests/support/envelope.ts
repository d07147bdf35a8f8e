import { expect } from 'vitest';
import type { JsonResponse } from './http.js';

/** ISO 8601 UTC, as every timestamp of the API is written. */
export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** An error answer exactly as the user sees it: that status and `{code, message, data: null}`. */
export function expectError(res: JsonResponse, status: number, message: string): void {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.body).toEqual({ code: status, message, data: null });
}

/** A 400 whose field errors name (at least) every one of `fields`. */
export function expectFieldErrors(res: JsonResponse, fields: string[]): void {
  expect(res.status, res.text).toBe(400);
  expect(res.body).toMatchObject({ code: 400, message: '请求参数错误' });
  const named = (res.body.data.errors as { field: string; message: string }[]).map((e) => e.field);
  for (const field of fields) expect(named).toContain(field);
}

/**
 * What must never leak into an answer: credentials, password hashes, stack frames, SQL, paths.
 * `secrets` are values of this test (a password, a refresh token) that must not be echoed.
 */
export function expectNothingLeaked(res: JsonResponse, secrets: string[] = []): void {
  for (const s of secrets) expect(res.text).not.toContain(s);
  expect(res.text).not.toMatch(/"password(_hash)?":|\$argon2|\n\s+at |SQLITE|select |from "|\/work\/|node_modules/i);
  expect(res.headers.get('x-powered-by')).toBeNull();
}
