import type { AppDeps, Db } from '@bailian-chat/server';
import { FakeDashScope } from './fake-dashscope.js';
import { request, type JsonResponse } from './http.js';
import { startTestApp, type TestApp, type TestAppOptions } from './test-app.js';

export const TEST_API_KEY = 'sk-test-dashscope-key-0123456789abcdef';
export const CHAT_PATH = '/api/bailian/chat/completions';

export interface ChatTestApp extends TestApp {
  fake: FakeDashScope;
}

/**
 * The real app talking to a fake DashScope, with a key configured and no retries (so one call is
 * one upstream request). `env` overrides, as for startTestApp.
 */
export async function startChatApp(
  env: Record<string, string> = {},
  logger?: AppDeps['logger'],
  options?: TestAppOptions,
): Promise<ChatTestApp> {
  const fake = await FakeDashScope.start();
  const app = await startTestApp(
    {
      DASHSCOPE_API_KEY: TEST_API_KEY,
      DASHSCOPE_BASE_URL: fake.baseUrl,
      DASHSCOPE_MAX_RETRIES: '0',
      DASHSCOPE_TIMEOUT_MS: '3000',
      ...env,
    },
    logger,
    options,
  );
  return {
    ...app,
    fake,
    async close() {
      await app.close();
      await fake.close();
    },
  };
}

/** POST /api/bailian/chat/completions as `token`'s user. */
export function chat(app: TestApp, token: string, body: unknown): Promise<JsonResponse> {
  return request(app.url, 'POST', CHAT_PATH, { token, body });
}

/** The same call, raw: for reading a stream. */
export function chatRaw(app: TestApp, token: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  return fetch(app.url + CHAT_PATH, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
}

/** A user's `api_calls` rows, oldest first. */
export function apiCallsOf(db: Db, userId: number) {
  return db.selectFrom('api_calls').selectAll().where('user_id', '=', userId).orderBy('id').execute();
}

/** A conversation's messages (every status), oldest first. */
export function messagesOf(db: Db, conversationId: number) {
  return db.selectFrom('messages').selectAll().where('conversation_id', '=', conversationId).orderBy('id').execute();
}
