import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliFixture, startCliFixture } from './support/cli-fixture.js';
import { startTerminalCli } from './support/cli-interactive.js';
import { CLI_TESTS, runCli } from './support/cli-process.js';
import { DEFAULT_REPLY, fakeUsage } from './support/fake-dashscope.js';

let fx: CliFixture;
beforeAll(async () => {
  fx = await startCliFixture();
}, 120_000);
afterAll(() => fx?.close());

// The smallest image there is: the PNG signature (the server checks the data: URL, not the pixels).
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('a whole session with the bailian-chat CLI', CLI_TESTS, () => {
  it('registers, logs in, creates a conversation, sends, chats, reads statistics and logs out', async () => {
    const env = fx.freshEnv();
    const cli = (args: string[], input?: string) => runCli(env, args, input);
    const username = `cli_whole_${process.pid}`;
    const password = 'Correct-Horse-Battery-Staple';

    const registered = await cli(['register', username, '--email', `${username}@example.com`, '--password', password]);
    expect(registered).toMatchObject({ code: 0, stderr: '' });
    expect(registered.stdout).toContain(`Registered ${username}.`);

    // Without --password and without a terminal, the password is the first line of stdin.
    const login = await cli(['login', username], `${password}\n`);
    expect(login).toMatchObject({ code: 0, stderr: '' });
    expect(login.stdout).toBe(`Logged in to ${fx.app.url} as ${username}.\n`);
    expect(login.stdout).not.toContain(password);

    const me = await cli(['whoami', '--json']);
    expect(JSON.parse(me.stdout)).toMatchObject({ username, email: `${username}@example.com` });

    const created = await cli(['conversations', 'create', 'CLI 会话', '--model', 'qwen-vl-plus', '--json']);
    const conversation = JSON.parse(created.stdout);
    expect(conversation).toMatchObject({ title: 'CLI 会话', model_name: 'qwen-vl-plus', status: 1 });
    const id = String(conversation.conversation_id);

    const image = join(env.configDir, 'dot.png');
    await writeFile(image, PNG);
    const sent = await cli(['messages', 'send', id, 'What', 'is', 'this?', '--image', image, '--json']);
    expect(JSON.parse(sent.stdout)).toMatchObject({
      role: 'user',
      content_type: 'image',
      content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${PNG.toString('base64')}` } }, { type: 'text', text: 'What is this?' }],
    });

    const chat = await cli(['chat', id], 'Describe it.\n');
    expect(chat.code).toBe(0);
    expect(chat.stdout).toBe(`${DEFAULT_REPLY}\n`);
    // The model saw the conversation so far: the image message, then the new question.
    const upstream = fx.fake.last.body;
    expect(upstream.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'user']);
    expect(upstream.messages[1].content).toEqual([{ type: 'text', text: 'Describe it.' }]);

    const history = JSON.parse((await cli(['messages', 'list', id, '--json'])).stdout);
    expect(history.messages.map((m: { role: string; status: number }) => [m.role, m.status])).toEqual([
      ['user', 1],
      ['user', 1],
      ['assistant', 1],
    ]);
    expect(history.messages[2].content).toEqual([{ type: 'text', text: DEFAULT_REPLY }]);

    const tokens = fakeUsage(upstream, DEFAULT_REPLY).total_tokens;
    const stats = await cli(['stats']);
    expect(stats.code).toBe(0);
    expect(stats.stdout).toMatch(/^conversations\s+1$/m);
    expect(stats.stdout).toMatch(/^messages\s+3$/m);
    expect(stats.stdout).toMatch(new RegExp(`^tokens\\s+${tokens}$`, 'm'));
    expect(stats.stdout).toMatch(new RegExp(`^qwen-vl-plus\\s+1\\s+3\\s+${tokens}$`, 'm'));
    // One day of usage: the longest bar there can be.
    expect(stats.stdout).toMatch(new RegExp(`^tokens per day\\n\\d{4}-\\d{2}-\\d{2} ${tokens} █+$`, 'm'));
    expect(JSON.parse((await cli(['stats', '--json'])).stdout)).toMatchObject({
      total_conversations: 1,
      total_messages: 3,
      total_tokens: tokens,
    });

    const calls = JSON.parse((await cli(['history', 'calls', '--json'])).stdout);
    expect(calls.api_calls).toMatchObject([{ conversation_id: Number(id), model_name: 'qwen-vl-plus', status_code: 200, stream: true }]);

    const logout = await cli(['logout']);
    expect(logout).toMatchObject({ code: 0, stdout: `Logged out of ${fx.app.url}.\n` });
    expect(JSON.parse(await readFile(join(env.configDir, 'config.json'), 'utf8'))).toEqual({ sessions: {} });
    const after = await cli(['whoami']);
    expect(after.code).toBe(1);
    expect(after.stderr).toContain(`not logged in to ${fx.app.url}`);
  });

  it('keeps the tokens in a 0600 file in a 0700 directory', async () => {
    const { env, account } = await fx.loggedIn();
    expect((await stat(env.configDir)).mode & 0o777).toBe(0o700);
    const file = join(env.configDir, 'config.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(await readFile(file, 'utf8')).sessions[fx.app.url];
    expect(saved).toEqual({ username: account.username, accessToken: expect.any(String), refreshToken: expect.any(String) });
  });

  it('asks for the password on a terminal without echoing it', async () => {
    const { account } = await fx.loggedIn();
    const env = fx.freshEnv();
    const login = startTerminalCli(env, ['login', account.username]);
    await login.waitFor('Password: ');
    login.write(`${account.password}\r`);
    expect((await login.result).code).toBe(0);
    expect(login.output()).toContain(`Logged in to ${fx.app.url} as ${account.username}.`);
    expect(login.output()).not.toContain(account.password);
    expect(JSON.parse(await readFile(join(env.configDir, 'config.json'), 'utf8')).sessions[fx.app.url].username).toBe(account.username);
  });

  it('asks for a new password twice on a terminal, and Ctrl-C at the prompt gives up with 130', async () => {
    const username = `cli_tty_${process.pid}`;
    const register = startTerminalCli(fx.freshEnv(), ['register', username, '--email', `${username}@example.com`]);
    await register.waitFor('Password: ');
    register.write('Correct-Horse-Battery-Staple\r');
    await register.waitFor('Repeat password: ');
    register.write('Correct-Horse-Battery-Stable\r');
    expect((await register.result).code).toBe(2);
    expect(register.output()).toContain('error: the passwords do not match');

    const login = startTerminalCli(fx.freshEnv(), ['login', username]);
    await login.waitFor('Password: ');
    login.write('Correct-Hor');
    login.interrupt();
    expect((await login.result).code).toBe(130);
    expect(login.output()).not.toContain('Correct-Hor');
  });
});
