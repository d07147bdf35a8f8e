import {
  ApiError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  NotFoundError,
  PayloadTooLargeError,
  PermissionDeniedError,
  RateLimitError,
  ServiceUnavailableError,
  UnsupportedMediaTypeError,
  createClient,
} from '@bailian-chat/client';
import { describe, expect, it } from 'vitest';
import openapi from '../openapi.json' with { type: 'json' };

/** A fetch that answers every request with `status` and `body`, and counts the requests. */
function answering(status: number, body: string, contentType = 'application/json', headers: Record<string, string> = {}) {
  const calls: string[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    calls.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
    return new Response(body, { status, headers: { 'content-type': contentType, ...headers } });
  };
  return { calls, fetch: fetchImpl };
}

const envelope = (code: number, message: string, data: unknown = null) => JSON.stringify({ code, message, data });

describe('SDK: one error class per status', () => {
  it.each([
    [400, BadRequestError, '请求参数错误'],
    [401, AuthenticationError, '未认证'],
    [403, PermissionDeniedError, '用户账户已被禁用'],
    [404, NotFoundError, '对话不存在'],
    [409, ConflictError, '用户名或邮箱已存在'],
    [413, PayloadTooLargeError, '请求体过大'],
    [415, UnsupportedMediaTypeError, '不支持请求体的字符集或压缩方式'],
    [429, RateLimitError, '请求频率超限'],
    [500, InternalServerError, '服务器内部错误'],
    [503, ServiceUnavailableError, '百炼API服务不可用'],
  ])('%i → %o', async (status, ErrorClass, message) => {
    const stub = answering(status, envelope(status, message), 'application/json', { 'retry-after': '7', 'x-request-id': 'req-1' });
    // No retries: this is about the class, and a 429 or 503 to a GET would be retried (sdk-retries.test.ts).
    const error = await createClient({ baseUrl: 'http://api.test', fetch: stub.fetch, maxRetries: 0 })
      .conversations.get(1)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: ErrorClass.name, status, code: status, message, data: null, requestId: 'req-1' });
    expect((error as ApiError).headers.get('retry-after')).toBe('7');
  });

  it('has a class for every error status openapi.json documents', () => {
    const operations = Object.values(openapi.paths).flatMap((path) => Object.values(path));
    const statuses = new Set(operations.flatMap((operation) => Object.keys(operation.responses).map(Number)));
    statuses.delete(200);
    const unclassed = [...statuses].filter((status) => ApiError.generate(status, null, new Headers()).constructor === ApiError);
    expect(unclassed).toEqual([]);
  });

  it('keeps the field errors of a 400', async () => {
    const errors = [{ field: 'title', message: 'String must contain at least 1 character(s)' }];
    const stub = answering(400, envelope(400, '请求参数错误', { errors }));
    const call = createClient({ baseUrl: 'http://api.test', fetch: stub.fetch }).conversations.update(1, { title: '' });
    await expect(call).rejects.toMatchObject({ data: { errors } });
  });

  it('gives a plain ApiError for a status without a class, or an answer that is not the envelope', async () => {
    const stub = answering(502, '<html>Bad Gateway</html>', 'text/html');
    const error = await createClient({ baseUrl: 'http://api.test', fetch: stub.fetch, maxRetries: 0 })
      .models.list()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ name: 'ApiError', status: 502, code: 502, message: 'HTTP 502', data: null });
  });

  it('gives an ApiError for a 200 that is not the envelope (a dev server’s page at the API’s URL)', async () => {
    const stub = answering(200, '<!doctype html><title>app</title>', 'text/html');
    const error = await createClient({ baseUrl: 'http://api.test', fetch: stub.fetch })
      .models.list()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 200, code: 200, data: null });
  });

  // ts-rest leaves a falsy path parameter out: id 0 asked for the conversation list.
  it.each([
    ['conversations.get', (c: ReturnType<typeof createClient>) => c.conversations.get(0), 'GET /api/conversations/0'],
    ['conversations.delete', (c: ReturnType<typeof createClient>) => c.conversations.delete(0), 'DELETE /api/conversations/0'],
    ['messages.list', (c: ReturnType<typeof createClient>) => c.messages.list(0), 'GET /api/conversations/0/messages'],
    ['messages.delete', (c: ReturnType<typeof createClient>) => c.messages.delete(0), 'DELETE /api/messages/0'],
  ])('%s(0) asks for id 0 and gets the server’s 400', async (_name, call, sent) => {
    const stub = answering(400, envelope(400, '请求参数错误', { errors: [] }));
    const error = await call(createClient({ baseUrl: 'http://api.test', fetch: stub.fetch })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(stub.calls).toEqual([sent]);
  });

  it('lets a signal stop auth.refresh: before it starts nothing is sent, during it the caller stops waiting', async () => {
    const stub = answering(200, envelope(200, '刷新成功', { access_token: 'new', expires_in: 3600 }));
    const client = createClient({ baseUrl: 'http://api.test', fetch: stub.fetch, refreshToken: 'r' });
    const early = new AbortController();
    early.abort(new Error('stopped early'));
    await expect(client.auth.refresh(undefined, { signal: early.signal })).rejects.toThrow('stopped early');
    expect(stub.calls).toEqual([]);

    const late = new AbortController();
    const waiting = client.auth.refresh(undefined, { signal: late.signal });
    late.abort(new Error('stopped waiting'));
    await expect(waiting).rejects.toThrow('stopped waiting');
    await expect(client.auth.refresh()).resolves.toMatchObject({ access_token: 'new' });
  });

  it('sends to baseUrl without doubling its trailing slash', async () => {
    const stub = answering(200, envelope(200, '获取成功', { models: [], any_model_allowed: true }));
    await createClient({ baseUrl: 'http://api.test/prefix//', fetch: stub.fetch }).models.list();
    expect(stub.calls).toEqual(['GET /prefix/api/models']);
  });
});
