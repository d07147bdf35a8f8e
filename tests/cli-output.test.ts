import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliFixture, startCliFixture } from './support/cli-fixture.js';
import { CLI_TESTS, type CliEnv, runCli } from './support/cli-process.js';
import { request } from './support/http.js';

let fx: CliFixture;
beforeAll(async () => {
  fx = await startCliFixture();
}, 120_000);
afterAll(() => fx?.close());

/** Terminal columns of a line of this test's output (ASCII, CJK and the ellipsis only). */
const columns = (line: string) => [...line].reduce((n, ch) => n + (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\uff00-\uff60]/.test(ch) ? 2 : 1), 0);

const LONG_TITLE = 'A conversation whose title goes on and on well past any reasonable terminal width';
const CJK_TITLE = '一个标题特别特别特别特别特别特别长的中文对话';

async function create(env: CliEnv, title: string): Promise<number> {
  const result = await runCli(env, ['conversations', 'create', title, '--model', 'qwen-plus', '--json']);
  return JSON.parse(result.stdout).conversation_id;
}

describe('bailian-chat output', CLI_TESTS, () => {
  it('fits tables to the terminal width, cutting long cells with …', async () => {
    const { env } = await fx.loggedIn();
    await create(env, LONG_TITLE);
    await create(env, CJK_TITLE);
    for (const width of [40, 60]) {
      const result = await runCli({ ...env, extra: { COLUMNS: String(width) } }, ['conversations', 'list']);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^ID\s+TITLE\s+MODEL\s+UPDATED$/);
      for (const line of lines) expect(columns(line)).toBeLessThanOrEqual(width);
      // The title gives way; the id, the model and the time stay whole.
      expect(lines[1]).toMatch(/^ *\d+ {2}一个\S*… +qwen-plus {2}\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
      expect(lines[2]).toMatch(/^ *\d+ {2}A c[^…]*… +qwen-plus {2}\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
      expect(lines.at(-1)).toBe('page 1 of 1, 2 conversations');
    }
    const wide = await runCli({ ...env, extra: { COLUMNS: '200' } }, ['conversations', 'list']);
    expect(wide.stdout).toContain(LONG_TITLE);
    expect(wide.stdout).toContain(CJK_TITLE);
  });

  it('writes no escape codes and no spinner when piped', async () => {
    const { env } = await fx.loggedIn();
    const id = await create(env, 'quiet');
    for (const args of [['conversations', 'list'], ['messages', 'list', String(id)], ['history', 'calls'], ['stats'], ['models']]) {
      const result = await runCli(env, args);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).not.toContain('\x1b');
    }
  });

  it('prints, with --json, exactly the data the API answers', async () => {
    const { env } = await fx.loggedIn();
    const id = await create(env, 'json');
    await runCli(env, ['chat', String(id)], 'hello\n');
    const token = JSON.parse(await readFile(join(env.configDir, 'config.json'), 'utf8')).sessions[fx.app.url].accessToken;
    const api = async (path: string) => (await request(fx.app.url, 'GET', path, { token })).body.data;
    const cases: [string[], string][] = [
      [['whoami'], '/api/auth/user'],
      [['conversations', 'list'], '/api/conversations'],
      [['conversations', 'show', String(id)], `/api/conversations/${id}`],
      [['messages', 'list', String(id)], `/api/conversations/${id}/messages`],
      [['messages', 'list', String(id), '--newest-first', '--limit', '1'], `/api/conversations/${id}/messages?order=desc&limit=1`],
      [['history', 'calls'], '/api/history/api-calls'],
      [['stats'], '/api/history/conversations/statistics'],
      [['models'], '/api/models'],
    ];
    for (const [args, path] of cases) {
      const result = await runCli(env, [...args, '--json']);
      expect(result.code, args.join(' ')).toBe(0);
      expect(JSON.parse(result.stdout), args.join(' ')).toEqual(await api(path));
    }
  });

  it('pages lists, and --all walks every page', async () => {
    const { env } = await fx.loggedIn();
    const ids: number[] = [];
    for (let i = 1; i <= 7; i += 1) ids.push(await create(env, `paged ${i}`));
    const newestFirst = [...ids].reverse();

    const first = await runCli(env, ['conversations', 'list', '--limit', '3']);
    expect(first.stdout.trimEnd().split('\n').at(-1)).toBe('page 1 of 3, 7 conversations (next: --page 2, or --all)');
    const last = JSON.parse((await runCli(env, ['conversations', 'list', '--limit', '3', '--page', '3', '--json'])).stdout);
    expect(last.conversations.map((c: { conversation_id: number }) => c.conversation_id)).toEqual(newestFirst.slice(6));
    expect(last.pagination).toEqual({ current_page: 3, per_page: 3, total: 7, total_pages: 3 });

    const all = JSON.parse((await runCli(env, ['conversations', 'list', '--limit', '3', '--all', '--json'])).stdout);
    expect(all.map((c: { conversation_id: number }) => c.conversation_id)).toEqual(newestFirst);
    const table = await runCli(env, ['conversations', 'list', '--limit', '3', '--all']);
    expect(table.stdout.trimEnd().split('\n')).toHaveLength(1 + 7 + 1);
    expect(table.stdout.trimEnd().split('\n').at(-1)).toBe('7 conversations');
  });

  it('shows media as placeholders and renames and deletes with a confirmation', async () => {
    const { env } = await fx.loggedIn();
    const id = String(await create(env, 'before'));
    await runCli(env, ['messages', 'send', id, 'look', '--image', 'https://example.com/cat.png', '--video', 'https://example.com/cat.mp4']);
    const list = await runCli(env, ['messages', 'list', id]);
    expect(list.stdout).toMatch(/^ *\d+ {2}user {2}.+ {2}\[image\] \[video\] look$/m);
    expect(list.stdout.trimEnd().split('\n').at(-1)).toBe('page 1 of 1, 1 message');

    const renamed = await runCli(env, ['conversations', 'rename', id, 'after']);
    expect(renamed.stdout).toMatch(/^title {4}after$/m);
    const messageId = JSON.parse((await runCli(env, ['messages', 'list', id, '--json'])).stdout).messages[0].message_id;
    expect((await runCli(env, ['messages', 'delete', String(messageId)])).stdout).toBe(`Deleted message ${messageId}.\n`);
    expect((await runCli(env, ['conversations', 'delete', id])).stdout).toBe(`Deleted conversation ${id}.\n`);
    expect((await runCli(env, ['conversations', 'show', id])).code).toBe(1);
  });
});
