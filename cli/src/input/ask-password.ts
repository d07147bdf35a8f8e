import { promptPassword } from './password-prompt.js';
import { UsageError } from '../usage-error.js';

/**
 * The password from `--password`, else asked for without echo. A new password is asked twice on a
 * terminal, since a typo there would lock the user out of the account they just made.
 */
export async function askPassword(given: string | undefined, { confirm = false } = {}): Promise<string> {
  if (given !== undefined) return given;
  const password = await promptPassword('Password: ');
  if (confirm && process.stdin.isTTY && (await promptPassword('Repeat password: ')) !== password) {
    throw new UsageError('the passwords do not match');
  }
  if (password === '') throw new UsageError('no password given');
  return password;
}
