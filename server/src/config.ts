import bytes from 'bytes';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_POOL, type PoolOptions } from './db/pool-options.js';

/** The Qwen text and vision models a fresh install allows (override with ALLOWED_MODELS). */
export const DEFAULT_MODELS = [
  'qwen-max',
  'qwen-max-latest',
  'qwen3-max',
  'qwen-plus',
  'qwen-plus-latest',
  'qwen-turbo',
  'qwen-turbo-latest',
  'qwen-flash',
  'qwen-long',
  'qwen3-235b-a22b',
  'qwen3-32b',
  'qwen3-coder-plus',
  'qwen-vl-max',
  'qwen-vl-max-latest',
  'qwen-vl-plus',
  'qwen-vl-plus-latest',
  'qwen3-vl-plus',
  'qwen3-vl-flash',
  'qwen-vl-ocr',
  'qvq-max',
];

/**
 * How long /readyz waits for the database before answering 503: under the 1 s a Kubernetes
 * readiness probe waits by default (timeoutSeconds), with room for the network, so the probe reads
 * a 503 rather than its own timeout. A `select 1` takes a millisecond or two, and a pool that keeps
 * a probe waiting 0.8 s is one the replica's traffic had better go elsewhere from for a while.
 */
const DEFAULT_READYZ_TIMEOUT_MS = 800;

const integer = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

/**
 * A wait in ms (from `min`), or `off`: no bound (null). For a setting whose bound some deployments
 * cannot take, such as a pooler that refuses the startup parameter carrying it.
 */
const millisOrOff = (min: number) =>
  z.union([z.literal('off').transform(() => null), integer(min, 2_147_483_647)], {
    errorMap: () => ({ message: `must be a whole number of ms >= ${min}, or off` }),
  });

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const commaList = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

const EnvSchema = z.object({
  NODE_ENV: z.string().default('development'),
  PORT: integer(0, 65535).default('3000'),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, 'must be sqlite:<path>, sqlite::memory: or postgres://…')
    .default('sqlite:./data/bailian-chat.db'),
  // Each PostgreSQL connection is a server process: past 1,000 a value is a typo, not a plan.
  DATABASE_POOL_MAX: integer(1, 1000).default(String(DEFAULT_POOL.max)),
  // 0 would be pg's "wait forever", which is what this bound is for: at least 1 ms.
  DATABASE_CONNECT_TIMEOUT_MS: integer(1, 2_147_483_647).default(String(DEFAULT_POOL.connectTimeoutMs)),
  // 0 is "wait forever" to PostgreSQL's lock_timeout and "never wait" to SQLite's: neither is a bound.
  DATABASE_LOCK_TIMEOUT_MS: millisOrOff(1).default(String(DEFAULT_POOL.lockTimeoutMs)),
  READYZ_TIMEOUT_MS: integer(1, 2_147_483_647).default(String(DEFAULT_READYZ_TIMEOUT_MS)),
  JWT_SECRET: z.string().min(32, 'must be at least 32 bytes').optional(),
  ACCESS_TOKEN_TTL: integer(1).default('3600'),
  REFRESH_TOKEN_TTL: integer(1).default('2592000'),
  REFRESH_TOKEN_ROTATION: bool.default('false'),
  DASHSCOPE_API_KEY: z.string().optional(),
  DASHSCOPE_BASE_URL: z.string().url().default('https://dashscope.aliyuncs.com/compatible-mode/v1'),
  DASHSCOPE_TIMEOUT_MS: integer(1).default('120000'),
  DASHSCOPE_MAX_RETRIES: integer(0, 10).default('2'),
  CHAT_RATE_LIMIT_PER_MINUTE: integer(1).default('60'),
  LOGIN_MAX_FAILURES: integer(1).default('10'),
  LOGIN_MAX_FAILURES_PER_IP: integer(1).default('100'),
  REGISTER_RATE_LIMIT_PER_HOUR: integer(1).default('20'),
  ALLOWED_MODELS: commaList.optional(),
  TRUST_PROXY: z.string().optional(),
  CORS_ORIGINS: commaList.optional(),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb|gb)?$/i, 'must be a size such as 20mb')
    .default('20mb')
    .transform((size) => bytes.parse(size)!),
  STATS_TIMEZONE: z
    .string()
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as Asia/Shanghai')
    .default('UTC'),
  // The longest delay a Node timer takes (2^31 - 1 ms); a longer one fires at once.
  SHUTDOWN_GRACE_MS: integer(0, 2_147_483_647).default('8000'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Config {
  env: string;
  port: number;
  host: string;
  databaseUrl: string;
  /** The PostgreSQL pool's size and connection wait, and the lock wait of both databases. */
  databasePool: PoolOptions;
  /** How long /readyz waits for the database before it answers 503. */
  readyzTimeoutMs: number;
  jwtSecret: string;
  accessTokenTtl: number;
  refreshTokenTtl: number;
  refreshTokenRotation: boolean;
  dashscope: { apiKey: string | undefined; baseUrl: string; timeoutMs: number; maxRetries: number };
  chatRateLimitPerMinute: number;
  loginMaxFailures: number;
  /** Failed logins per IP, whatever accounts they name: a cap on trying one password on many accounts. */
  loginMaxFailuresPerIp: number;
  registerRateLimitPerHour: number;
  /** `null` means any model (`ALLOWED_MODELS=*`). */
  allowedModels: string[] | null;
  trustProxy: boolean | number | string | undefined;
  corsOrigins: string[];
  /** Bytes. */
  bodyLimit: number;
  statsTimezone: string;
  /** How long a stopping server waits for the answers in flight before it ends them. */
  shutdownGraceMs: number;
  logLevel: string;
}

export class ConfigError extends Error {}

function parseTrustProxy(value: string | undefined): Config['trustProxy'] {
  if (value === undefined || value === '' || value === 'false') return undefined;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

/** Where a SQLite database lives; the dev JWT secret is kept beside it. */
export function dataDirOf(databaseUrl: string): string {
  const path = databaseUrl.startsWith('sqlite:') ? databaseUrl.slice('sqlite:'.length) : '';
  return path && path !== ':memory:' ? dirname(resolve(path)) : resolve('data');
}

function devSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  if (existsSync(file)) {
    const kept = readFileSync(file, 'utf8').trim();
    // A truncated file would sign tokens with an empty or guessable key: refuse it.
    if (Buffer.byteLength(kept) < 32) {
      throw new ConfigError(`Invalid configuration: ${file} holds a JWT secret under 32 bytes; delete it or set JWT_SECRET`);
    }
    return kept;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}

/**
 * Reads the configuration from the environment. Throws a ConfigError whose message is one line
 * naming the offending variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`Invalid configuration: ${issue.path.join('.')} ${issue.message}`);
  }
  const e = parsed.data;
  if (!e.JWT_SECRET && e.NODE_ENV === 'production') {
    throw new ConfigError('Invalid configuration: JWT_SECRET is required when NODE_ENV=production (>= 32 bytes)');
  }
  const models = e.ALLOWED_MODELS;
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    databasePool: {
      max: e.DATABASE_POOL_MAX,
      connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
      lockTimeoutMs: e.DATABASE_LOCK_TIMEOUT_MS,
    },
    readyzTimeoutMs: e.READYZ_TIMEOUT_MS,
    jwtSecret: e.JWT_SECRET ?? devSecret(dataDirOf(e.DATABASE_URL)),
    accessTokenTtl: e.ACCESS_TOKEN_TTL,
    refreshTokenTtl: e.REFRESH_TOKEN_TTL,
    refreshTokenRotation: e.REFRESH_TOKEN_ROTATION,
    dashscope: {
      apiKey: e.DASHSCOPE_API_KEY,
      baseUrl: e.DASHSCOPE_BASE_URL,
      timeoutMs: e.DASHSCOPE_TIMEOUT_MS,
      maxRetries: e.DASHSCOPE_MAX_RETRIES,
    },
    chatRateLimitPerMinute: e.CHAT_RATE_LIMIT_PER_MINUTE,
    loginMaxFailures: e.LOGIN_MAX_FAILURES,
    loginMaxFailuresPerIp: e.LOGIN_MAX_FAILURES_PER_IP,
    registerRateLimitPerHour: e.REGISTER_RATE_LIMIT_PER_HOUR,
    allowedModels: models === undefined || models.length === 0 ? DEFAULT_MODELS : models.includes('*') ? null : models,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    corsOrigins: e.CORS_ORIGINS ?? [],
    bodyLimit: e.BODY_LIMIT,
    statsTimezone: e.STATS_TIMEZONE,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    logLevel: e.LOG_LEVEL,
  };
}
