/**
 * A command line that is well-formed for commander but still unusable (a file that is too big, an
 * id that is not a number): reported like commander's own errors, with exit code 2.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
