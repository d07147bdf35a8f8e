import { execFile } from 'node:child_process';

/**
 * Runs a program to completion and resolves with its stdout; on failure rejects with an error that
 * carries its stdout and stderr (tsc, for one, reports its type errors on stdout).
 */
export function runCommand(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed (${error.code}):\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}
