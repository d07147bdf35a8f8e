import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { CLI_MAIN, type CliEnv, type CliResult, cliEnvironment, finished, ROOT, spawnCli } from './cli-process.js';

const WAIT_MS = 20_000;

/** A running `bailian-chat` that a test types into and reads from, as a person at it would. */
export interface InteractiveCli {
  /** What it wrote so far: stdout (on a pseudo-terminal, stdout and stderr together). */
  output(): string;
  errors(): string;
  write(text: string): void;
  /** Resolves once output() contains `text` after position `from`; rejects after 20 s or if the CLI exits. */
  waitFor(text: string, from?: number): Promise<void>;
  /** Ctrl-C: the key on a pseudo-terminal, the SIGINT signal otherwise (what a shell sends a piped job). */
  interrupt(): void;
  /** End of input (Ctrl-D on a pipe). */
  end(): void;
  /** Its output's reader goes away, as `| head` does when Ctrl-C ends the whole job. */
  closeOutput(): void;
  result: Promise<CliResult>;
}

function interactive(child: ChildProcessWithoutNullStreams, interrupt: () => void): InteractiveCli {
  const result = finished(child);
  let exited = false;
  void result.then(() => (exited = true));
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: string) => (out += chunk));
  child.stderr.on('data', (chunk: string) => (err += chunk));
  return {
    output: () => out,
    errors: () => err,
    write: (text) => child.stdin.write(text),
    interrupt,
    end: () => child.stdin.end(),
    closeOutput: () => child.stdout.destroy(),
    result,
    waitFor(text, from = 0) {
      return new Promise((resolve, reject) => {
        const started = Date.now();
        const check = setInterval(() => {
          if (out.indexOf(text, from) >= 0) {
            clearInterval(check);
            resolve();
          } else if (exited || Date.now() - started > WAIT_MS) {
            clearInterval(check);
            reject(new Error(`no "${text}" in the output; stdout: ${out}\nstderr: ${err}`));
          }
        }, 20);
      });
    },
  };
}

/** With stdin, stdout and stderr as pipes. */
export function startPipedCli(env: CliEnv, args: string[]): InteractiveCli {
  const child = spawnCli(env, args);
  return interactive(child, () => child.kill('SIGINT'));
}

const shellQuote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;

/**
 * On a pseudo-terminal, through util-linux `script`: the CLI sees a TTY (raw-mode line editing,
 * Ctrl-C as a key), and the test writes keys to script's stdin and reads the screen from its stdout.
 */
export function startTerminalCli(env: CliEnv, args: string[]): InteractiveCli {
  const command = [process.execPath, CLI_MAIN, ...args].map(shellQuote).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: ROOT,
    env: cliEnvironment(env),
  });
  return interactive(child, () => child.stdin.write('\x03'));
}
