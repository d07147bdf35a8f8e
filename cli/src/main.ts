import { run } from './run.js';

// `bailian-chat conversations list | head -1`: once the reader has gone, there is nobody left to
// tell anything, so end quietly instead of crashing with an EPIPE stack trace; with the exit code
// already decided, if any (a chat that SIGINT ended, whose reader the same Ctrl-C ended: 130).
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

// exitCode rather than process.exit(): stdout is flushed before the process ends, even when piped.
process.exitCode = await run(process.argv);
