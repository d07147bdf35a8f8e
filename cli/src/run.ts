import { resolveBaseUrl } from './cli-context.js';
import { ExitCode } from './exit-codes.js';
import { buildProgram } from './program.js';
import { reportError } from './report-error.js';

/** Runs one command line and resolves with the exit code; never throws. */
export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return ExitCode.ok;
  } catch (error) {
    return reportError(error, resolveBaseUrl(program.opts<{ baseUrl?: string }>().baseUrl));
  }
}
