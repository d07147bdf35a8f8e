import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliFixture, startCliFixture } from './support/cli-fixture.js';
import { CLI_TESTS, runCli } from './support/cli-process.js';
import { request } from './support/http.js';

let fx: CliFixture;
beforeAll(async () => {
  fx = await startCliFixture();
}, 120_000);
afterAll(() => fx?.close());

interface SavedSession {
  username: string;
  accessToken: string;
  refreshToken: string;
}

async function savedSessions(file: string): Promise<Record<string, SavedSession>> {
  return JSON.parse(await readFile(file, 'utf8')).sessions;
}

describe('bailian-chat configuration', CLI_TESTS, () => {
  it('keeps its config under $XDG_CONFIG_HOME/bailian-chat, or ~/.config/bailian-chat without it', async () => {
    const { account } = await fx.loggedIn();
    const login = ['login', account.username, '--password', account.password];

    const xdg = fx.tempDir();
    expect((await runCli({ url: fx.app.url, extra: { XDG_CONFIG_HOME: xdg } }, login)).code).toBe(0);
    const xdgFile = join(xdg, 'bailian-chat', 'config.json');
    expect(Object.keys(await savedSessions(xdgFile))).toEqual([fx.app.url]);
    expect((await stat(join(xdg, 'bailian-chat'))).mode & 0o777).toBe(0o700);
    expect((await stat(xdgFile)).mode & 0o777).toBe(0o600);

    const home = fx.tempDir();
    expect((await runCli({ url: fx.app.url, extra: { HOME: home } }, login)).code).toBe(0);
    expect(Object.keys(await savedSessions(join(home, '.config', 'bailian-chat', 'config.json')))).toEqual([fx.app.url]);
  });

  it('tightens the mode of an existing config file when it rewrites it', async () => {
    const { env, account } = await fx.loggedIn();
    const file = join(env.configDir, 'config.json');
    await writeFile(file, JSON.stringify({ sessions: {} }), { mode: 0o644 });
    expect((await runCli(env, ['login', account.username, '--password', account.password])).code).toBe(0);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('refreshes a refused access token without the user noticing, and keeps the new one', async () => {
    const { env, account } = await fx.loggedIn();
    const file = join(env.configDir, 'config.json');
    const before = (await savedSessions(file))[fx.app.url]!;
    await writeFile(file, JSON.stringify({ sessions: { [fx.app.url]: { ...before, accessToken: 'expired.or.forged' } } }));

    const whoami = await runCli(env, ['whoami', '--json']);
    expect(whoami).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(whoami.stdout).username).toBe(account.username);

    const after = (await savedSessions(file))[fx.app.url]!;
    expect(after.accessToken).not.toBe('expired.or.forged');
    expect(after.refreshToken).toBe(before.refreshToken);
    expect((await request(fx.app.url, 'GET', '/api/auth/user', { token: after.accessToken })).status).toBe(200);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('logs out with an expired access token: the refresh it takes and the logout both end in a clean file', async () => {
    const { env } = await fx.loggedIn();
    const file = join(env.configDir, 'config.json');
    const before = (await savedSessions(file))[fx.app.url]!;
    await writeFile(file, JSON.stringify({ sessions: { [fx.app.url]: { ...before, accessToken: 'expired.or.forged' } } }));

    const logout = await runCli(env, ['logout']);
    expect(logout).toMatchObject({ code: 0, stderr: '' });
    expect(await savedSessions(file)).toEqual({});
    const refresh = await request(fx.app.url, 'POST', '/api/auth/refresh', { body: { refresh_token: before.refreshToken } });
    expect(refresh.status).toBe(401);
  });

  it('says to log in again when the session was revoked elsewhere', async () => {
    const { env } = await fx.loggedIn();
    const saved = (await savedSessions(join(env.configDir, 'config.json')))[fx.app.url]!;
    expect((await request(fx.app.url, 'POST', '/api/auth/logout', { token: saved.accessToken })).status).toBe(200);
    const result = await runCli(env, ['conversations', 'list']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'error: 未认证 (HTTP 401)\nhint: the login has expired or was revoked: run `bailian-chat login <username>`\n',
    );
  });

  it('takes the server from --base-url over BAILIAN_CHAT_URL, and keeps each server its own login', async () => {
    const { env, account } = await fx.loggedIn();
    const elsewhere = { ...env, url: 'http://127.0.0.1:1' };
    // Logged in to the app's URL, not to the one in the environment...
    const viaEnv = await runCli(elsewhere, ['whoami']);
    expect(viaEnv).toMatchObject({ code: 1, stderr: expect.stringContaining('not logged in to http://127.0.0.1:1') });
    // ...which the flag overrides (a trailing slash names the same server).
    const viaFlag = await runCli(elsewhere, ['whoami', '--json', '--base-url', `${fx.app.url}/`]);
    expect(viaFlag.code).toBe(0);
    expect(JSON.parse(viaFlag.stdout).username).toBe(account.username);
  });
});
