import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliFixture, startCliFixture } from './support/cli-fixture.js';
import { CLI_TESTS, runCli } from './support/cli-process.js';
import { freePort } from './support/server-process.js';

/** The default LOGIN_MAX_FAILURES: failed logins of one account before 429. */
const LOGIN_MAX_FAILURES = 10;

let fx: CliFixture;
beforeAll(async () => {
  fx = await startCliFixture();
}, 120_000);
afterAll(() => fx?.close());

describe('bailian-chat exit codes', CLI_TESTS, () => {
  it.each([
    [[]],
    [['--help']],
    [['conversations', '--help']],
    [['messages', 'send', '--help']],
    [['chat', '--help']],
    [['history', 'calls', '--help']],
    [['help', 'stats']],
  ])('0 with usage on stdout for --help: %j', async (args) => {
    const result = await runCli(fx.freshEnv(), args.length ? args : ['--help']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Usage: bailian-chat/);
  });

  it('says in the help which exit codes there are, 130 for an interruption included', async () => {
    const help = await runCli(fx.freshEnv(), ['--help']);
    expect(help.stdout).toContain('Exit codes: 0 ok, 1 the API (or the network) failed the request, 2 usage error,\n130 Ctrl-C at a password prompt or in a piped chat.');
    const chatHelp = await runCli(fx.freshEnv(), ['chat', '--help']);
    expect(chatHelp.stdout).toMatch(/On a terminal: Ctrl-C .+ quits\n\(exit 0\)\./);
    expect(chatHelp.stdout).toContain('Ctrl-C (SIGINT) stops the reply being written and quits without sending the lines left (exit 130)');
  });

  it.each([
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['conversations', 'list', '--colour'], "unknown option '--colour'"],
    [['conversations', 'show'], "missing required argument 'conversation'"],
    [['conversations', 'show', 'seven'], 'expected an integer of at least 1'],
    [['messages', 'list', '1', '--limit', '500'], 'expected an integer from 1 to 100'],
    [['history', 'calls', '--from', '2024-02-30'], 'expected a date as YYYY-MM-DD'],
    [['stats', '--by', 'minutes'], 'Allowed choices are tokens, messages, conversations'],
    [['register', 'someone'], "required option '--email <email>' not specified"],
    [['conversations', 'list', '--all', '--page', '2'], "option '--all' cannot be used with option '--page <n>'"],
    [['models', '--base-url', 'notaurl'], 'notaurl: not an http:// or https:// URL (from --base-url)'],
    [['models', '--base-url', 'ftp://example.com'], 'ftp://example.com: not an http:// or https:// URL'],
  ])('2 for a usage error: %j', async (args, message) => {
    const result = await runCli(fx.freshEnv(), args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
  });

  it('2 with no command at all, with the usage on stderr', async () => {
    const result = await runCli(fx.freshEnv(), []);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toMatch(/^Usage: bailian-chat/);
  });

  it('2 for a file that cannot be sent, before anything reaches the server', async () => {
    const { env } = await fx.loggedIn();
    const big = join(env.configDir, 'big.mp4');
    await writeFile(big, Buffer.alloc(10 * 1024 * 1024 + 1));
    const tooBig = await runCli(env, ['messages', 'send', '1', '--video', big]);
    expect(tooBig.code).toBe(2);
    expect(tooBig.stderr).toContain(`${big}: 10485761 bytes, more than the 10 MB limit`);
    const unknownType = await runCli(env, ['messages', 'send', '1', '--image', join(env.configDir, 'notes.txt')]);
    expect(unknownType.code).toBe(2);
    expect(unknownType.stderr).toContain('not a known image file type');
    const missing = await runCli(env, ['messages', 'send', '1', '--image', join(env.configDir, 'gone.png')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('gone.png: no such file');
  });

  it('1 with the API message on stderr when the server refuses', async () => {
    const { env, account } = await fx.loggedIn();
    const wrong = await runCli(fx.freshEnv(), ['login', account.username, '--password', 'not-the-password']);
    expect(wrong).toMatchObject({ code: 1, stdout: '', stderr: 'error: 用户名或密码错误 (HTTP 401)\n' });

    const missing = await runCli(env, ['conversations', 'show', '999999']);
    expect(missing).toMatchObject({ code: 1, stdout: '', stderr: 'error: 对话不存在 (HTTP 404)\n' });

    const invalid = await runCli(env, ['conversations', 'create', '--model', 'gpt-4o']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^error: 请求参数错误 \(HTTP 400\)\n {2}model_name: .+\n$/);

    const taken = await runCli(fx.freshEnv(), ['register', account.username, '--email', 'other@example.com', '--password', 'Another-Good-Password']);
    expect(taken).toMatchObject({ code: 1, stderr: 'error: 用户名或邮箱已存在 (HTTP 409)\n' });
  });

  it('1 for a rate limit, saying when to try again', async () => {
    const { env, account } = await fx.loggedIn();
    const wrong = { username: account.username, password: 'not-the-password' };
    for (let i = 0; i < LOGIN_MAX_FAILURES; i += 1) {
      const response = await fetch(`${fx.app.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(wrong),
      });
      expect(response.status).toBe(401);
    }
    const limited = await runCli(env, ['login', account.username, '--password', account.password]);
    expect(limited.code).toBe(1);
    // 15 minutes of login window, less the few seconds this test took.
    expect(limited.stderr).toMatch(/^error: 请求频率超限 \(HTTP 429\)\nhint: try again in 1[45] min\n$/);
  });

  it("1 for another user's conversation", async () => {
    const owner = await fx.loggedIn();
    const created = await runCli(owner.env, ['conversations', 'create', '--model', 'qwen-plus', '--json']);
    const id = String(JSON.parse(created.stdout).conversation_id);
    const other = await fx.loggedIn();
    const result = await runCli(other.env, ['conversations', 'delete', id]);
    expect(result).toMatchObject({ code: 1, stdout: '', stderr: 'error: 无权限删除该对话 (HTTP 403)\n' });
  });

  it('1 when not logged in, saying how to log in', async () => {
    const result = await runCli(fx.freshEnv(), ['conversations', 'list']);
    expect(result).toMatchObject({
      code: 1,
      stderr: `error: not logged in to ${fx.app.url}: run \`bailian-chat login <username>\` first\n`,
    });
  });

  it('1 when the server cannot be reached', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const result = await runCli({ ...fx.freshEnv(), url }, ['models']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: cannot reach the server at ${url} (ECONNREFUSED)`);
  });
});
