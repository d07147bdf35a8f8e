import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, CLI_TESTS, finished, ROOT, spawnCli } from './support/cli-process.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const exec = promisify(execFile);

let app: TestApp;
let dir: string;
beforeAll(async () => {
  [app, dir] = await Promise.all([startTestApp(), mkdtemp(join(tmpdir(), 'bailian-chat-cli-install-')), buildCli()]);
}, 120_000);
afterAll(async () => {
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('installing bailian-chat', CLI_TESTS, () => {
  it('installs globally from the packed packages and runs against a live server', async () => {
    await exec('npm', ['pack', '-w', 'contract', '-w', 'client-sdk', '-w', 'cli', '--pack-destination', dir], { cwd: ROOT });
    const tarballs = (await readdir(dir)).filter((file) => file.endsWith('.tgz')).sort();
    expect(tarballs).toEqual(['bailian-chat-cli-0.1.0.tgz', 'bailian-chat-client-0.1.0.tgz', 'bailian-chat-contract-0.1.0.tgz']);

    const prefix = join(dir, 'prefix');
    const install = ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund'];
    await exec('npm', [...install, ...tarballs.map((file) => join(dir, file))], { cwd: dir });

    // Run from elsewhere, with nothing of the repository on the way: only the installed command.
    const bin = join(prefix, 'bin', 'bailian-chat');
    const env = { PATH: process.env.PATH ?? '', HOME: dir, BAILIAN_CHAT_URL: app.url };
    const help = await exec(bin, ['--help'], { cwd: dir, env });
    expect(help.stdout).toMatch(/^Usage: bailian-chat \[options\] \[command\]/);
    expect(help.stdout).toContain('conversations|conv');

    const models = await exec(bin, ['models', '--json'], { cwd: dir, env });
    expect(JSON.parse(models.stdout).models).toContainEqual({ model_name: 'qwen-plus', vision: false });
  }, 180_000);

  it('runs as `npx bailian-chat` in the repository', async () => {
    const { stdout } = await exec('npx', ['--no-install', 'bailian-chat', '--version'], { cwd: ROOT });
    expect(stdout).toBe('0.1.0\n');
  });

  it('ends quietly when the reader of its output goes away', async () => {
    const child = spawnCli({ url: app.url, configDir: dir }, ['--help']);
    child.stdout.destroy();
    const result = await finished(child);
    expect(result).toMatchObject({ code: 0, stderr: '' });
  });
});
