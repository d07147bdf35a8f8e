import { readFileSync } from 'node:fs';
import { openApiDocument } from '@bailian-chat/server';
import { validate } from '@readme/openapi-parser';
import spectralCore from '@stoplight/spectral-core';
import Parsers from '@stoplight/spectral-parsers';
import { oas } from '@stoplight/spectral-rulesets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from './support/envelope.js';
import { request, rawGet } from './support/http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const committedText = readFileSync(new URL('../openapi.json', import.meta.url), 'utf8');
const committed = JSON.parse(committedText);

type Operation = {
  operationId: string;
  tags: string[];
  security?: unknown[];
  requestBody?: { content: Record<string, { example?: unknown }> };
  responses: Record<string, { description: string; content: Record<string, { schema: unknown; example?: unknown }> }>;
};

function operations(doc: { paths: Record<string, Record<string, Operation>> }) {
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method, op })),
  );
}

function operation(method: string, path: string): Operation {
  const op = committed.paths[path]?.[method];
  if (!op) throw new Error(`no ${method} ${path} in openapi.json`);
  return op;
}

describe('openapi.json', () => {
  it('is what the contract generates today (run `npm run openapi` after changing the contract)', () => {
    expect(committed).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
  });

  it('is a valid OpenAPI 3.0 document', async () => {
    expect(committed.openapi).toMatch(/^3\.0\./);
    const result = await validate(structuredClone(committed));
    expect(result.valid, JSON.stringify(result)).toBe(true);
  });

  it("passes Spectral's recommended OpenAPI rules with nothing to report but the missing contact", async () => {
    const spectral = new spectralCore.Spectral();
    spectral.setRuleset({ extends: [[oas as never, 'recommended']] });
    const results = await spectral.run(new spectralCore.Document(committedText, Parsers.Json, 'openapi.json'));
    // There is no public maintainer address to put in info.contact; that hint is all that may remain.
    const findings = results
      .filter((r) => r.code !== 'info-contact')
      .map((r) => `${r.code} at ${r.path.join('.')}: ${r.message}`);
    expect(findings).toEqual([]);
  });

  it('names every operation after its router keys and tags it with its spec section', () => {
    const ids = operations(committed).map(({ op }) => op.operationId);
    expect(ids).toContain('auth.login');
    expect(ids).toContain('conversations.list');
    expect(ids).toContain('history.apiCalls');
    expect(new Set(ids).size).toBe(ids.length);
    expect(committed.tags.map((t: { name: string }) => t.name)).toEqual(['认证', '对话', '消息', '百炼代理', '历史', '模型']);
    expect(operation('post', '/api/bailian/chat/completions').tags).toEqual(['百炼代理']);
    expect(operation('get', '/api/history/conversations/statistics').tags).toEqual(['历史']);
  });

  it('asks for a bearer JWT everywhere except on the public routes', () => {
    expect(committed.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    expect(committed.security).toEqual([{ bearerAuth: [] }]);
    const open = operations(committed)
      .filter(({ op }) => op.security !== undefined)
      .map(({ method, path, op }) => [`${method} ${path}`, op.security]);
    expect(open).toEqual([
      ['post /api/auth/register', []],
      ['post /api/auth/login', []],
      ['post /api/auth/refresh', []],
      ['get /api/models', []],
    ]);
  });

  it("documents every status the spec gives a route, each in the envelope with the route's message", () => {
    const get = operation('get', '/api/conversations/{conversation_id}');
    expect(Object.keys(get.responses)).toEqual(['200', '400', '401', '403', '404', '500']);
    expect(get.responses['404']!.content['application/json']).toEqual({
      schema: { $ref: '#/components/schemas/ErrorEnvelope' },
      example: { code: 404, message: '对话不存在', data: null },
    });
    expect(operation('post', '/api/auth/login').responses['401']!.description).toBe('用户名或密码错误');
    expect(Object.keys(operation('post', '/api/bailian/chat/completions').responses)).toEqual(
      expect.arrayContaining(['200', '400', '401', '429', '500', '503']),
    );
    for (const { op } of operations(committed)) {
      for (const [status, response] of Object.entries(op.responses)) {
        const json = response.content['application/json']!;
        const where = `${op.operationId} ${status}`;
        expect((json.example as { code: number }).code, where).toBe(Number(status));
        if (status === '200') expect(json.schema, where).toMatchObject({ required: ['code', 'message', 'data'] });
        else expect(json.schema, where).toEqual({ $ref: '#/components/schemas/ErrorEnvelope' });
      }
    }
  });

  it("carries the spec's samples as examples", () => {
    const login = operation('post', '/api/auth/login');
    expect(login.requestBody!.content['application/json']!.example).toEqual({
      username: 'example_user',
      password: expect.any(String),
    });
    expect(login.responses['200']!.content['application/json']!.example).toMatchObject({
      code: 200,
      message: '登录成功',
      data: { expires_in: 3600, user: { user_id: 123456, username: 'example_user' } },
    });
    const stats = operation('get', '/api/history/conversations/statistics').responses['200']!;
    expect(stats.content['application/json']!.example).toMatchObject({ data: { total_conversations: 15, total_tokens: 2560 } });
  });

  it('lists 415 on exactly the routes that read a body (a charset or Content-Encoding the server does not read)', () => {
    for (const { op } of operations(committed)) {
      expect('415' in op.responses, op.operationId).toBe(op.requestBody !== undefined);
    }
  });

  it('describes model replies, relayed or stored, as the model made them: any length, or no parts at all', () => {
    const schemas = committed.components.schemas;
    expect(schemas.Message.properties.content).toEqual({ $ref: '#/components/schemas/AnsweredContent' });
    expect(schemas.AnsweredContent.minItems).toBeUndefined();
    expect(schemas.AnsweredContent.items.oneOf[0].properties.text.maxLength).toBeUndefined();
    const choice = schemas.ChatCompletion.properties.choices.items;
    expect(choice.properties.message.properties.content.items.properties.text.maxLength).toBeUndefined();
  });

  it("lets a completion's choices, message and usage carry what upstream adds (logprobs, token details)", () => {
    const completion = committed.components.schemas.ChatCompletion;
    const choice = completion.properties.choices.items;
    expect(choice.additionalProperties).toBe(true);
    expect(choice.properties.message.additionalProperties).toBe(true);
    expect(completion.properties.usage).toMatchObject({ nullable: true, additionalProperties: true });
  });

  it('declares the event stream of the chat route beside its JSON answer', () => {
    const content = operation('post', '/api/bailian/chat/completions').responses['200']!.content;
    expect(Object.keys(content)).toEqual(['application/json', 'text/event-stream']);
    const sse = content['text/event-stream']!.example as string;
    expect(sse.endsWith('data: [DONE]\n\n')).toBe(true);
    const frames = sse.split('\n\n').filter(Boolean).slice(0, -1).map((f) => JSON.parse(f.replace(/^data: /, '')));
    expect(frames.every((f) => f.object === 'chat.completion.chunk')).toBe(true);
  });
});

/** The content type each kind of file under /docs is answered with. */
const ASSET_TYPES: Record<string, RegExp> = {
  css: /^text\/css/,
  js: /^application\/javascript/,
  map: /^application\/json/,
  png: /^image\/png$/,
};

describe('GET /openapi.json and GET /docs', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('serves the committed document', async () => {
    const res = await request(app.url, 'GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body).toEqual(committed);
  });

  it('serves an interactive reference that loads the document from /openapi.json', async () => {
    const page = await fetch(`${app.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.url).toBe(`${app.url}/docs/`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('<title>bailian-chat API</title>');
    expect(html).toContain('id="swagger-ui"');

    // The page's own policy lets it run: scripts only from this origin, none inline, no https upgrade.
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const attrs of scripts) expect(attrs).toMatch(/src=/);
  });

  it('answers every asset the page, its stylesheet and its initializer link to, with its content type', async () => {
    const html = await (await fetch(`${app.url}/docs/`)).text();
    const links = [...html.matchAll(/(?:src|href)=["']([^"']+)["']/g)].map((m) => m[1]!);
    expect(links.filter((link) => !link.startsWith('./'))).toEqual([]);
    const assets = links.map((link) => link.slice(2));
    expect(assets).toEqual(expect.arrayContaining(['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-init.js']));

    const bodies = new Map<string, string>();
    for (const asset of assets) {
      const res = await fetch(`${app.url}/docs/${asset}`);
      expect(res.status, asset).toBe(200);
      expect(res.headers.get('content-type'), asset).toMatch(ASSET_TYPES[asset.split('.').at(-1)!] ?? /^no type expected/);
      bodies.set(asset, await res.text());
    }

    const cssMap = /sourceMappingURL=(\S+?)\s*\*\//.exec(bodies.get('swagger-ui.css')!)![1]!;
    const map = await fetch(`${app.url}/docs/${cssMap}`);
    expect(map.status).toBe(200);
    expect(map.headers.get('content-type')).toMatch(ASSET_TYPES.map!);
    expect(await map.json()).toMatchObject({ version: 3, file: 'swagger-ui.css' });

    // The initializer points Swagger UI at the document, which is the committed one.
    const swaggerUrl = /"swaggerUrl": "([^"]+)"/.exec(bodies.get('swagger-ui-init.js')!)![1]!;
    expect(swaggerUrl).toBe('/openapi.json');
    expect((await request(app.url, 'GET', swaggerUrl)).body).toEqual(committed);
  });

  it.each([
    '/docs/index.html',
    '/docs/index.js',
    '/docs/package.json',
    '/docs/README.md',
    '/docs/LICENSE',
    '/docs/absolute-path.js',
    '/docs/swagger-initializer.js',
    '/docs/oauth2-redirect.html',
    '/docs/swagger-ui.js',
    '/docs/swagger-ui-bundle.js.map',
    '/docs/swagger-ui-bundle.js.LICENSE.txt',
    '/docs/anything',
    '/docs/sub/',
    '/docs//',
    '/docs/x/swagger-ui-init.js',
    '/docs/x/package.json',
    '/docs/SWAGGER-UI.CSS',
    '/DOCS/',
    '/docs/../package.json',
    '/docs/%2e%2e/package.json',
    '/docs/..%2fpackage.json',
  ])('answers GET %s with the 404 envelope, like any unknown route', async (path) => {
    expectError(await rawGet(app.url, path), 404, '资源不存在');
  });

  it('answers a write to the page with the 404 envelope', async () => {
    expectError(await request(app.url, 'POST', '/docs/', { body: {} }), 404, '资源不存在');
  });

  it('keeps the strict policy on the API itself', async () => {
    const res = await request(app.url, 'GET', '/healthz');
    expect(res.headers.get('content-security-policy')).toContain('upgrade-insecure-requests');
  });
});
