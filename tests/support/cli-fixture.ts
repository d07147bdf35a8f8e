import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCli, type CliEnv, runCli } from './cli-process.js';
import { FakeDashScope } from './fake-dashscope.js';
import { type Account, createAccount } from './http.js';
import { startTestApp, type TestApp } from './test-app.js';

/** A CLI environment with its own config directory. */
export type CliUserEnv = CliEnv & { configDir: string };

/** The built CLI, a live app whose chat endpoint talks to a fake DashScope. */
export interface CliFixture {
  app: TestApp;
  fake: FakeDashScope;
  /** A new empty directory, removed with the fixture. */
  tempDir(): string;
  /** An environment with a fresh, empty config directory: a user who has not logged in. */
  freshEnv(): CliUserEnv;
  /** A new account, logged in through the CLI's own `login`. */
  loggedIn(): Promise<{ env: CliUserEnv; account: Account }>;
  close(): Promise<void>;
}

export async function startCliFixture(): Promise<CliFixture> {
  const [fake] = await Promise.all([FakeDashScope.start(), buildCli()]);
  const app = await startTestApp({ DASHSCOPE_API_KEY: 'sk-fake', DASHSCOPE_BASE_URL: fake.baseUrl });
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'bailian-chat-cli-'));
    dirs.push(dir);
    return dir;
  };
  const freshEnv = () => ({ url: app.url, configDir: tempDir() });
  return {
    app,
    fake,
    tempDir,
    freshEnv,
    async loggedIn() {
      const account = await createAccount(app.url, 'cli');
      const env = freshEnv();
      const login = await runCli(env, ['login', account.username, '--password', account.password]);
      if (login.code !== 0) throw new Error(`login failed: ${login.stderr}`);
      return { env, account };
    },
    async close() {
      await app.close();
      await fake.close();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}
