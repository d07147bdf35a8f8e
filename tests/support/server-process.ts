import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A port the OS just handed out and released, for a server that cannot be told "port 0". */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  /** Resolves when a stdout line contains `text`; rejects if the process ends first. */
  waitForOutput(text: string): Promise<void>;
}

/**
 * Starts the real entry point (`server/src/main.ts`) in its own process, as `npm start` would but
 * from source. `env` is the whole environment apart from PATH and HOME: nothing leaks in from the
 * test runner (which sets NODE_ENV=test, for one).
 */
export function startServerProcess(env: Record<string, string>): ServerProcess {
  // Node itself with tsx as a loader, not the tsx command: that one stands between the signals a
  // test sends and the server, and kills the server when it is slow to take them.
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', 'server/src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk) => (out += chunk));
  child.stderr!.on('data', (chunk) => (err += chunk));
  // 'close', not 'exit': only then has all the process wrote on stdout and stderr been read.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForOutput: (text) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!out.includes(text)) return;
          child.stdout!.off('data', check);
          resolve();
        };
        child.stdout!.on('data', check);
        exited.then((code) => reject(new Error(`exited with ${code} before "${text}": ${err}`)));
        check();
      }),
  };
}

/** The process stopped with exit code 1 and one stderr line naming `variable`, no stack trace. */
export async function expectRefusedStart(server: ServerProcess, variable: string): Promise<void> {
  expect(await server.exited).toBe(1);
  const lines = server.stderr().trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(variable);
}
