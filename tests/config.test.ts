import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '@bailian-chat/server';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_JWT_SECRET } from './support/test-app.js';

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bailian-config-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A valid environment that touches no file, plus the overrides under test. */
const env = (overrides: Record<string, string>) => ({
  DATABASE_URL: 'sqlite::memory:',
  JWT_SECRET: TEST_JWT_SECRET,
  ...overrides,
});

/** The one-line message loadConfig refuses `overrides` with. */
function refusal(overrides: Record<string, string>): string {
  try {
    loadConfig(env(overrides));
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('loadConfig accepted the configuration');
}

describe('loadConfig', () => {
  it('gives the documented defaults', () => {
    const config = loadConfig(env({}));
    expect(config).toMatchObject({
      env: 'development',
      port: 3000,
      host: '127.0.0.1',
      accessTokenTtl: 3600,
      refreshTokenTtl: 2_592_000,
      refreshTokenRotation: false,
      loginMaxFailures: 10,
      loginMaxFailuresPerIp: 100,
      registerRateLimitPerHour: 20,
      chatRateLimitPerMinute: 60,
      bodyLimit: 20 * 1024 * 1024,
      statsTimezone: 'UTC',
      shutdownGraceMs: 8_000,
      databasePool: { max: 10, connectTimeoutMs: 5_000, lockTimeoutMs: 5_000 },
      readyzTimeoutMs: 800,
      logLevel: 'info',
      corsOrigins: [],
      trustProxy: undefined,
    });
    expect(config.allowedModels).toContain('qwen-plus');
  });

  it('reads each variable it is given', () => {
    const config = loadConfig(
      env({
        PORT: '8080',
        REFRESH_TOKEN_ROTATION: 'true',
        ACCESS_TOKEN_TTL: '60',
        ALLOWED_MODELS: ' qwen-max , qwen-vl-max ',
        CORS_ORIGINS: 'https://a.example,https://b.example',
        TRUST_PROXY: '1',
        SHUTDOWN_GRACE_MS: '2500',
        DATABASE_POOL_MAX: '25',
        DATABASE_CONNECT_TIMEOUT_MS: '1500',
        DATABASE_LOCK_TIMEOUT_MS: '750',
        READYZ_TIMEOUT_MS: '400',
      }),
    );
    expect(config).toMatchObject({
      port: 8080,
      refreshTokenRotation: true,
      accessTokenTtl: 60,
      allowedModels: ['qwen-max', 'qwen-vl-max'],
      corsOrigins: ['https://a.example', 'https://b.example'],
      trustProxy: 1,
      shutdownGraceMs: 2500,
      databasePool: { max: 25, connectTimeoutMs: 1500, lockTimeoutMs: 750 },
      readyzTimeoutMs: 400,
    });
    expect(loadConfig(env({ ALLOWED_MODELS: '*' })).allowedModels).toBeNull();
    expect(loadConfig(env({ DATABASE_LOCK_TIMEOUT_MS: 'off' })).databasePool.lockTimeoutMs).toBeNull();
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['JWT_SECRET', 'too-short'],
    ['ACCESS_TOKEN_TTL', '0'],
    ['REFRESH_TOKEN_ROTATION', 'yes'],
    ['DATABASE_URL', 'mysql://localhost/db'],
    ['BODY_LIMIT', 'lots'],
    ['STATS_TIMEZONE', 'Mars/Olympus'],
    ['LOG_LEVEL', 'loud'],
    ['SHUTDOWN_GRACE_MS', '-1'],
    ['SHUTDOWN_GRACE_MS', '2147483648'],
    ['DASHSCOPE_BASE_URL', 'not a url'],
    ['DATABASE_POOL_MAX', '0'],
    ['DATABASE_POOL_MAX', '1001'],
    ['DATABASE_POOL_MAX', 'ten'],
    // 0 is pg's "wait forever": the very thing the variable bounds.
    ['DATABASE_CONNECT_TIMEOUT_MS', '0'],
    ['DATABASE_CONNECT_TIMEOUT_MS', '5s'],
    ['DATABASE_CONNECT_TIMEOUT_MS', '2147483648'],
    // 0 is "wait forever" to PostgreSQL's lock_timeout and "never wait" to SQLite's busy timeout.
    ['DATABASE_LOCK_TIMEOUT_MS', '0'],
    ['DATABASE_LOCK_TIMEOUT_MS', '-1'],
    ['DATABASE_LOCK_TIMEOUT_MS', '1.5'],
    ['DATABASE_LOCK_TIMEOUT_MS', '5s'],
    ['DATABASE_LOCK_TIMEOUT_MS', '2147483648'],
    ['DATABASE_LOCK_TIMEOUT_MS', 'OFF'],
    ['READYZ_TIMEOUT_MS', '0'],
    ['READYZ_TIMEOUT_MS', '-1'],
  ])('refuses %s=%s with one line naming it', (name, value) => {
    const message = refusal({ [name]: value });
    expect(message).toContain(name);
    expect(message).not.toContain('\n');
  });

  it('requires JWT_SECRET when NODE_ENV=production', () => {
    const { JWT_SECRET: _omitted, ...withoutSecret } = env({ NODE_ENV: 'production' });
    expect(() => loadConfig(withoutSecret)).toThrow(/JWT_SECRET/);
    expect(() => loadConfig({ ...withoutSecret, JWT_SECRET: '' })).toThrow(/JWT_SECRET/);
  });

  it('outside production, generates a secret once, kept beside the database with mode 0600', () => {
    const dir = join(tempDir(), 'nested');
    const databaseUrl = `sqlite:${join(dir, 'app.db')}`;
    const first = loadConfig({ DATABASE_URL: databaseUrl });
    const file = join(dir, 'jwt-secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe(first.jwtSecret);
    expect(Buffer.byteLength(first.jwtSecret)).toBeGreaterThanOrEqual(32);
    expect(loadConfig({ DATABASE_URL: databaseUrl }).jwtSecret).toBe(first.jwtSecret);
  });

  it.each([
    ['empty', ''],
    ['short', 'only-sixteen-byt'],
  ])('refuses a kept dev secret that is %s rather than sign tokens with it', (_name, content) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'jwt-secret'), content, { mode: 0o600 });
    expect(() => loadConfig({ DATABASE_URL: `sqlite:${join(dir, 'app.db')}` })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_URL: `sqlite:${join(dir, 'app.db')}` })).toThrow(/JWT_SECRET/);
  });
});
