import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { configDir } from './config-dir.js';

/** The tokens of one login. */
export interface Session {
  username: string;
  accessToken: string;
  refreshToken: string;
}

/**
 * Sessions are keyed by server base URL so that a token issued by one server is never sent to
 * another one that the user points the CLI at later.
 */
interface ConfigFile {
  sessions: Record<string, Session>;
}

/** Makes each temporary file's name unique within the process, as the pid does between processes. */
let writes = 0;

export class ConfigStore {
  readonly path: string;
  /** The changes of this process, one after another (see `update`). */
  private changes: Promise<unknown> = Promise.resolve();

  constructor(private readonly dir: string = configDir()) {
    this.path = join(dir, 'config.json');
  }

  async session(baseUrl: string): Promise<Session | undefined> {
    return (await this.read()).sessions[baseUrl];
  }

  saveSession(baseUrl: string, session: Session): Promise<void> {
    return this.update((config) => {
      config.sessions[baseUrl] = session;
      return true;
    });
  }

  /** Keeps the login but replaces its tokens (after the SDK refreshed them). */
  updateTokens(baseUrl: string, tokens: Pick<Session, 'accessToken' | 'refreshToken'>): Promise<void> {
    return this.update((config) => {
      const current = config.sessions[baseUrl];
      if (!current) return false;
      config.sessions[baseUrl] = { ...current, ...tokens };
      return true;
    });
  }

  removeSession(baseUrl: string): Promise<void> {
    return this.update((config) => baseUrl in config.sessions && delete config.sessions[baseUrl]);
  }

  /**
   * Reads the file, lets `change` edit it, and writes it back if `change` says it changed. Changes
   * run one at a time: a logout right after a token refresh made two at once, and each wrote what
   * it had read, over the other.
   */
  private update(change: (config: ConfigFile) => boolean): Promise<void> {
    const run = this.changes.then(async () => {
      const config = await this.read();
      if (change(config)) await this.write(config);
    });
    this.changes = run.catch(() => undefined);
    return run;
  }

  private async read(): Promise<ConfigFile> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { sessions: {} };
      throw error;
    }
    const parsed = JSON.parse(text) as Partial<ConfigFile>;
    return { sessions: parsed.sessions ?? {} };
  }

  /**
   * Tokens are credentials: a directory we create is 0700 and the file 0600 (a umask can only take
   * bits away). Writing a fresh temporary file and renaming it over the old one means a crash never
   * leaves half a file, and the mode applies even when an older file had looser permissions.
   */
  private async write(config: ConfigFile): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${process.pid}.${++writes}.tmp`;
    try {
      await writeFile(temporary, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
      await rename(temporary, this.path);
    } finally {
      await rm(temporary, { force: true });
    }
  }
}
