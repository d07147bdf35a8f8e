import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the CLI keeps its state: `BAILIAN_CHAT_CONFIG_DIR` when set (tests and people who want
 * several identities), else the XDG config directory, else `~/.config`.
 */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BAILIAN_CHAT_CONFIG_DIR) return env.BAILIAN_CHAT_CONFIG_DIR;
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'bailian-chat');
}
