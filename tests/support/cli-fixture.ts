import { FakeDashScope } from './fake-dashscope.js';
import { buildCli, type CliEnv, runCli, tempConfigDir } from './cli-process.js';
import { type Account, createAccount } from './http.js';
import { startTestApp, type TestApp } from './test-app.js';

/** A CLI environment with its own config directory. */
export type CliUserEnv = CliEnv & { configDir: string };

/** The built CLI, a live app whose chat endpoint talks to a fake DashScope. */
export interface CliFixture {
  app: TestApp;
  fake: FakeDashScope;
  /** An environment with a fresh, empty config directory: a user who has not logged in. */
  freshEnv(): CliUserEnv;
  /** A new account, logged in through the CLI's own `login`. */
  loggedIn(): Promise<{ env: CliUserEnv; account: Account }>;
  close(): Promise<void>;
}

export async function startCliFixture(): Promise<CliFixture> {
  const [fake] = await Promise.all([FakeDashScope.start(), buildCli()]);
  const app = await startTestApp({ DASHSCOPE_API_KEY: 'sk-fake', DASHSCOPE_BASE_URL: fake.baseUrl });
  const freshEnv = () => ({ url: app.url, configDir: tempConfigDir() });
  return {
    app,
    fake,
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
    },
  };
}
