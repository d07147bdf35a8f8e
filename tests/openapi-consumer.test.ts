import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from './support/run-command.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const root = fileURLToPath(new URL('..', import.meta.url));

// A client that knows only openapi.json: types from openapi-typescript, calls through openapi-fetch.
const CONSUMER = `import createClient from 'openapi-fetch';
import type { components, paths } from './schema.js';

type Conversation = components['schemas']['Conversation'];

const api = createClient<paths>({ baseUrl: process.env.BASE_URL });
const user = { username: 'openapi_user', email: 'openapi@example.com', password: 'correct-horse-battery-staple' };

const registered = await api.POST('/api/auth/register', { body: user });
const login = await api.POST('/api/auth/login', { body: { username: user.username, password: user.password } });
if (!login.data) throw new Error('login failed');
const headers = { Authorization: \`Bearer \${login.data.data.access_token}\` };

const created = await api.POST('/api/conversations', { body: { model_name: 'qwen-plus', title: '来自 OpenAPI' }, headers });
if (!created.data) throw new Error('create failed');
const conversation: Conversation = created.data.data;
const read = await api.GET('/api/conversations/{conversation_id}', {
  params: { path: { conversation_id: conversation.conversation_id } },
  headers,
});
const page = await api.GET('/api/conversations', { params: { query: { limit: 5 } }, headers });
const deleted = await api.DELETE('/api/conversations/{conversation_id}', {
  params: { path: { conversation_id: conversation.conversation_id } },
  headers,
});
const missing = await api.GET('/api/conversations/{conversation_id}', {
  params: { path: { conversation_id: conversation.conversation_id } },
  headers,
});
const missingMessage: string | undefined = missing.error?.message;

// @ts-expect-error conversation_id is an integer in the document, so the types refuse a string
void (() => api.GET('/api/conversations/{conversation_id}', { params: { path: { conversation_id: 'x' } } }));

console.log(JSON.stringify({
  registered: registered.data?.data.username,
  title: read.data?.data.title,
  total: page.data?.data.pagination.total,
  deleted: [deleted.response.status, deleted.data?.message],
  missing: [missing.response.status, missingMessage],
}));
`;

const TSCONFIG = {
  compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, outDir: 'dist', types: ['node'] },
  include: ['main.ts', 'schema.d.ts'],
};


describe('a consumer of openapi.json that is not ts-rest', () => {
  let app: TestApp;
  let dir: string;
  beforeAll(async () => {
    app = await startTestApp();
    dir = await mkdtemp(join(tmpdir(), 'bailian-openapi-consumer-'));
  });
  afterAll(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('generates types with openapi-typescript, type-checks, and calls the live server with openapi-fetch', async () => {
    const document = JSON.parse(await readFile(join(root, 'openapi.json'), 'utf8'));
    await writeFile(join(dir, 'schema.d.ts'), astToString(await openapiTS(document)));
    await writeFile(join(dir, 'main.ts'), CONSUMER);
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG));
    await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
    await symlink(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');

    await runCommand(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', '.'], dir);
    const output = JSON.parse(await runCommand(process.execPath, ['dist/main.js'], dir, { BASE_URL: app.url }));
    expect(output).toEqual({
      registered: 'openapi_user',
      title: '来自 OpenAPI',
      total: 1,
      deleted: [200, '删除成功'],
      missing: [404, '对话不存在'],
    });
  }, 120_000);
});
