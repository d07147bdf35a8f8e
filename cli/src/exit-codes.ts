/** What the process exits with: scripts branch on these, so they are part of the CLI's interface. */
export const ExitCode = {
  ok: 0,
  /** The API (or the network on the way to it) refused or failed the request. */
  apiError: 1,
  /** The command line itself was wrong: unknown command or option, missing or invalid argument. */
  usage: 2,
  /** Ctrl-C at a password prompt, or SIGINT ending a piped chat: the shell convention, 128 + SIGINT. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
