import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI_MAIN = join(ROOT, 'cli/dist/main.js');
const TSC = join(ROOT, 'node_modules/.bin/tsc');
const BUILD_LOCK = join(tmpdir(), 'bailian-chat-cli-build.lock');

/**
 * Builds the CLI and the packages it depends on (contract, client SDK) into dist/, as a user would
 * before running it. The CLI test files run in parallel: flock makes them take turns, and tsc -b
 * is incremental, so every build after the first is a quick no-op.
 */
export async function buildCli(): Promise<void> {
  await promisify(execFile)('flock', [BUILD_LOCK, TSC, '-b', 'cli/tsconfig.build.json'], { cwd: ROOT });
}

export interface CliEnv {
  /** BAILIAN_CHAT_URL */
  url: string;
  /** BAILIAN_CHAT_CONFIG_DIR; left unset to test where the CLI puts its config by itself. */
  configDir?: string;
  extra?: Record<string, string>;
}

/** Only what the CLI needs: nothing leaks in from the test runner (no TTY, no COLUMNS). */
export function cliEnvironment(env: CliEnv): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    BAILIAN_CHAT_URL: env.url,
    ...(env.configDir && { BAILIAN_CHAT_CONFIG_DIR: env.configDir }),
    ...env.extra,
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `bailian-chat <args>` to completion, with `input` on its stdin. */
export function runCli(env: CliEnv, args: string[], input = ''): Promise<CliResult> {
  const child = spawnCli(env, args);
  child.stdin.end(input);
  return finished(child);
}

export function spawnCli(env: CliEnv, args: string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [CLI_MAIN, ...args], { cwd: ROOT, env: cliEnvironment(env) });
}

/** Collects a child's output until it exits. */
export function finished(child: ChildProcessWithoutNullStreams): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * For describe(): a CLI test starts the CLI as a new process several times over, each start taking
 * a few hundred milliseconds, and seconds when the whole suite shares two cores.
 */
export const CLI_TESTS = { timeout: 60_000 };
