/**
 * Ctrl-C ended the command: pressed at a password prompt, or the SIGINT signal that ends a chat
 * whose input is piped. The user knows why it stopped, so nothing is printed; the exit code is
 * the shell's for a death by SIGINT, so that a script or a pipeline sees the interruption.
 */
export class Interrupted extends Error {
  override readonly name = 'Interrupted';
  constructor() {
    super('interrupted');
  }
}
