import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from './support/run-command.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = join(root, 'node_modules/typescript/bin/tsc');


// A project that knows nothing of this repository: strict TypeScript, NodeNext, no skipLibCheck,
// so the SDK's declaration files are checked too.
const CONSUMER = {
  'package.json': JSON.stringify({ name: 'sdk-consumer', private: true, type: 'module' }),
  'tsconfig.json': JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, outDir: 'dist', types: ['node'] },
    include: ['main.ts'],
  }),
  'main.ts': `import { ConflictError, createClient, type Conversation } from '@bailian-chat/client';

const client = createClient({ baseUrl: process.env.BASE_URL ?? '' });
const username = 'packed_user';
const password = 'correct-horse-battery-staple';
await client.auth.register({ username, email: 'packed@example.com', password });
const login = await client.auth.login({ username, password });
const expiresIn: number = login.expires_in;
const me = await client.auth.me();
const conversation: Conversation = await client.conversations.create({ model_name: 'qwen-plus' });
// @ts-expect-error model_name is required: the types are the contract's, not any
void (() => client.conversations.create({ title: 'no model' }));
const again = await client.auth.register({ username, email: 'packed@example.com', password }).catch((e: unknown) => e);
const conflict = again instanceof ConflictError ? again.status : null;
console.log(JSON.stringify({ username: me.username, expiresIn, title: conversation.title, conflict }));
`,
};

describe('the packed SDK', () => {
  let app: TestApp;
  let dir: string;
  beforeAll(async () => {
    app = await startTestApp();
    dir = await mkdtemp(join(tmpdir(), 'bailian-sdk-pack-'));
  });
  afterAll(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('installs into an empty TypeScript project, compiles, and calls a live server', async () => {
    await runCommand(process.execPath, [tsc, '-b', 'client-sdk/tsconfig.build.json'], root);
    await runCommand('npm', ['pack', '-w', 'contract', '-w', 'client-sdk', '--pack-destination', dir], root);
    const tarballs = (await readdir(dir)).filter((f) => f.endsWith('.tgz')).map((f) => join(dir, f));
    expect(tarballs.map((t) => t.slice(dir.length + 1)).sort()).toEqual([
      'bailian-chat-client-0.1.0.tgz',
      'bailian-chat-contract-0.1.0.tgz',
    ]);

    const project = join(dir, 'consumer');
    await mkdir(project);
    for (const [name, text] of Object.entries(CONSUMER)) await writeFile(join(project, name), text);
    await runCommand('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...tarballs, 'typescript@~5.9', '@types/node@^20'], project);

    // Nothing of the server comes along: only the contract, ts-rest's core and zod.
    const manifest = JSON.parse(await readFile(join(project, 'node_modules/@bailian-chat/client/package.json'), 'utf8'));
    expect(Object.keys(manifest.dependencies).sort()).toEqual(['@bailian-chat/contract', '@ts-rest/core', 'zod']);
    const scoped = async (scope: string) => (await readdir(join(project, 'node_modules', scope))).map((p) => `${scope}/${p}`);
    const installed = (await readdir(join(project, 'node_modules'))).filter((p) => !p.startsWith('.'));
    const packages = (await Promise.all(installed.map((p) => (p.startsWith('@') ? scoped(p) : [p])))).flat().sort();
    expect(packages).toEqual(['@bailian-chat/client', '@bailian-chat/contract', '@ts-rest/core', '@types/node', 'typescript', 'undici-types', 'zod']);

    await runCommand(process.execPath, ['node_modules/typescript/bin/tsc', '-p', '.'], project);
    const output = await runCommand(process.execPath, ['dist/main.js'], project, { BASE_URL: app.url });
    expect(JSON.parse(output)).toEqual({ username: 'packed_user', expiresIn: 3600, title: '新对话', conflict: 409 });
  }, 180_000);
});
