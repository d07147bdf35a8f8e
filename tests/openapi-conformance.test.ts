import { describe, expect, it } from 'vitest';
import { answerProblems, type Answer } from './support/openapi-conformance.js';

/** The check every test app's answers go through (support/conformance-watch.ts), on answers made up here. */

const JSON_TYPE = 'application/json; charset=utf-8';

function answer(method: string, url: string, status: number, body: unknown, contentType = JSON_TYPE): Answer {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return { method, url, status, contentType, body: Buffer.from(text), complete: true };
}

const models = { models: [{ model_name: 'qwen-plus', vision: false }], any_model_allowed: false };
const conversation = {
  conversation_id: 7,
  title: '新对话',
  model_name: 'qwen-plus',
  status: 1,
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
};
const envelope = (code: number, data: unknown, message = '获取成功') => ({ code, message, data });

describe('the openapi.json conformance check', () => {
  it('passes answers the document describes, path parameters, a trailing slash and HEAD included', () => {
    expect(answerProblems(answer('GET', '/api/models', 200, envelope(200, models)))).toEqual([]);
    expect(answerProblems(answer('GET', '/api/conversations/7?x=1', 200, envelope(200, conversation)))).toEqual([]);
    expect(answerProblems(answer('GET', '/api/conversations/7/', 404, envelope(404, null, '对话不存在')))).toEqual([]);
    expect(answerProblems({ ...answer('HEAD', '/api/models', 200, ''), body: Buffer.alloc(0) })).toEqual([]);
  });

  it('fails a body missing a required field', () => {
    const { any_model_allowed: _, ...partial } = models;
    expect(answerProblems(answer('GET', '/api/models', 200, envelope(200, partial)))).toEqual([
      expect.stringMatching(/^body\/data must have required property 'any_model_allowed'/),
    ]);
  });

  it('fails a status the operation does not list', () => {
    expect(answerProblems(answer('GET', '/api/models', 404, envelope(404, null, '资源不存在')))).toEqual([
      'status 404 is not documented (documented: 200, 500)',
    ]);
  });

  it('fails a content type the status does not declare', () => {
    expect(answerProblems(answer('GET', '/api/models', 200, '<p>hi</p>', 'text/html'))).toEqual([
      'content type text/html is not declared for 200 (declared: application/json)',
    ]);
  });

  it('fails a wrong type, a null where none is allowed, a field the document does not name, and a code that is not the status', () => {
    const wrong = { ...conversation, conversation_id: '7', title: null, secret: 'x' };
    expect(answerProblems(answer('GET', '/api/conversations/7', 200, envelope(200, wrong)))).toEqual([
      expect.stringMatching(/^body\/data must NOT have additional properties .*"secret"/),
      expect.stringMatching(/^body\/data\/conversation_id must be integer/),
      expect.stringMatching(/^body\/data\/title must be string/),
    ]);
    expect(answerProblems(answer('GET', '/api/models', 500, envelope(400, null, '服务器内部错误')))).toEqual([
      'body code 400 is not the status 500',
    ]);
  });

  it('fails a body that is not JSON, but not one cut short', () => {
    expect(answerProblems(answer('GET', '/api/models', 200, '{"code":'))).toEqual(['body is not JSON: {"code":']);
    expect(answerProblems({ ...answer('GET', '/api/models', 200, '{"code":'), complete: false })).toEqual([]);
  });

  it('wants the envelope on a path the document does not have, and nothing of the docs pages and their redirect', () => {
    expect(answerProblems(answer('GET', '/no/such/route', 404, envelope(404, null, '资源不存在')))).toEqual([]);
    expect(answerProblems(answer('PATCH', '/api/models', 404, { error: 'Not Found' }))).toEqual([
      "body must have required property 'code' {\"missingProperty\":\"code\"}",
      "body must have required property 'message' {\"missingProperty\":\"message\"}",
      "body must have required property 'data' {\"missingProperty\":\"data\"}",
      'body must NOT have additional properties {"additionalProperty":"error"}',
      'body code undefined is not the status 404',
    ]);
    expect(answerProblems(answer('GET', '/docs/', 200, '<html></html>', 'text/html'))).toEqual([]);
    expect(answerProblems(answer('GET', '/docs', 301, '<p>Redirecting to /docs/</p>', 'text/html'))).toEqual([]);
    expect(answerProblems(answer('GET', '/docs/swagger-ui.css', 200, '.swagger-ui{}', 'text/css'))).toEqual([]);
    expect(answerProblems(answer('GET', '/openapi.json', 200, { openapi: '3.0.3' }))).toEqual([]);
  });

  it('wants the envelope on a failure under /docs or at /openapi.json, as on any unknown route', () => {
    expect(answerProblems(answer('GET', '/docs/package.json', 404, envelope(404, null, '资源不存在')))).toEqual([]);
    expect(answerProblems(answer('GET', '/docs/package.json', 404, 'Not Found', 'text/plain; charset=utf-8'))).toEqual([
      'content type text/plain; charset=utf-8 is not application/json',
    ]);
    expect(answerProblems(answer('GET', '/docs/anything', 404, '<html></html>', 'text/html'))).toEqual([
      'content type text/html is not application/json',
    ]);
    expect(answerProblems(answer('POST', '/openapi.json', 404, { error: 'Not Found' }))).toContain('body code undefined is not the status 404');
  });

  it('checks each complete data: frame of a stream is a chunk or the error frame, but for [DONE]', () => {
    const stream = (...frames: unknown[]) =>
      answer('POST', '/api/bailian/chat/completions', 200, frames.map((f) => `data: ${typeof f === 'string' ? f : JSON.stringify(f)}\n\n`).join(''), 'text/event-stream');
    const chunk = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'qwen-plus', choices: [{ index: 0, delta: { content: '你' }, finish_reason: null }] };
    const error = { error: { message: '百炼API服务不可用', code: 'upstream_timeout' } };
    expect(answerProblems(stream(chunk, { ...chunk, choices: [], usage: null }, error, '[DONE]'))).toEqual([]);
    expect(answerProblems(stream('{"a":1'))).toEqual(['stream frame is not JSON: {"a":1']);
    // An event still arriving (no blank line after it yet) is not judged.
    expect(answerProblems(answer('POST', '/api/bailian/chat/completions', 200, 'data: {"cut', 'text/event-stream'))).toEqual([]);
    // oneOf reports each alternative's complaints: the one that names what is wrong is among them.
    const { id: _, ...anonymous } = chunk;
    expect(answerProblems(stream(anonymous))).toContainEqual(expect.stringMatching(/: frame must have required property 'id'$/));
    const numeric = { ...chunk, choices: [{ index: 0, delta: { content: 1 }, finish_reason: null }] };
    expect(answerProblems(stream(numeric))).toContainEqual(expect.stringMatching(/: \/choices\/0\/delta\/content must be string$/));
    expect(answerProblems(stream({ error: { message: 'x' } }))).toContainEqual(expect.stringMatching(/: \/error must have required property 'code'$/));
  });
});
