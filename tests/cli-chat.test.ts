import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliFixture, type CliUserEnv, startCliFixture } from './support/cli-fixture.js';
import { startPipedCli, startTerminalCli } from './support/cli-interactive.js';
import { CLI_TESTS, runCli } from './support/cli-process.js';
import { eventually } from './support/eventually.js';
import { DEFAULT_REPLY, FAKE_ERRORS, streamPieces } from './support/fake-dashscope.js';
import { request } from './support/http.js';

let fx: CliFixture;
beforeAll(async () => {
  fx = await startCliFixture();
}, 120_000);
afterAll(() => fx?.close());

/** What a `stall_mid_stream` reply shows before it stalls: the first two pieces. */
const STALLED_TEXT = streamPieces(DEFAULT_REPLY).slice(0, 2).join('');

async function newConversation(env: Parameters<typeof runCli>[0]): Promise<string> {
  const created = await runCli(env, ['conversations', 'create', '--model', 'qwen-plus', '--json']);
  return String(JSON.parse(created.stdout).conversation_id);
}

async function storedMessages(env: Parameters<typeof runCli>[0], id: string) {
  const list = await runCli(env, ['messages', 'list', id, '--json']);
  return (JSON.parse(list.stdout).messages as { role: string; status: number; content: { text: string }[] }[]).map(
    (m) => [m.role, m.status, m.content[0]!.text],
  );
}

describe('bailian-chat chat, with stdin piped', CLI_TESTS, () => {
  it('on SIGINT mid-reply, stops the reply and exits 130 without sending the lines left', async () => {
    const { env } = await fx.loggedIn();
    const id = await newConversation(env);
    fx.fake.next({ fault: 'stall_mid_stream' });
    const upstreamBefore = fx.fake.requests.length;
    const chat = startPipedCli(env, ['chat', id]);
    // All three lines are in the pipe before the reply to the first starts; input stays open.
    chat.write('first question\nsecond question\nthird question\n');
    await chat.waitFor(STALLED_TEXT);
    chat.interrupt();

    const result = await chat.result;
    expect(result.code).toBe(130);
    expect(result.stdout).toBe(`${STALLED_TEXT}\n`);
    expect(result.stderr).toMatch(/^Conversation \d+ .+ Ctrl-C stops the reply and quits\.\n\[reply stopped\]\n$/);

    // The reply's stream was aborted upstream and the cut-off reply kept (status 2); the lines
    // after the first never reached the server, nor the model.
    const upstream = fx.fake.requests.slice(upstreamBefore);
    expect(upstream).toHaveLength(1);
    expect(upstream[0]!.body.messages.at(-1).content).toEqual([{ type: 'text', text: 'first question' }]);
    await eventually(() => expect(upstream[0]!.aborted).toBe(true));
    await eventually(async () =>
      expect(await storedMessages(env, id)).toEqual([
        ['user', 1, 'first question'],
        ['assistant', 2, STALLED_TEXT],
      ]),
    10_000);
  });

  it('on SIGINT mid-reply, exits 130 even when the reader of its output is gone with the job (| head)', async () => {
    const { env } = await fx.loggedIn();
    const id = await newConversation(env);
    fx.fake.next({ fault: 'stall_mid_stream' });
    const chat = startPipedCli(env, ['chat', id]);
    chat.write('first question\nsecond question\n');
    await chat.waitFor(STALLED_TEXT);
    chat.closeOutput();
    chat.interrupt();

    const result = await chat.result;
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/\[reply stopped\]\n$/);
  });

  it('on SIGINT while waiting for the next line, exits 130 even after a failed reply', async () => {
    const { env } = await fx.loggedIn();
    const id = await newConversation(env);
    fx.fake.next({}, { error: 'data_inspection_failed' });
    const chat = startPipedCli(env, ['chat', id]);
    chat.write('first question\nsomething rude\n');
    await expect.poll(chat.errors, { timeout: 20_000 }).toContain(FAKE_ERRORS.data_inspection_failed.message);
    chat.interrupt();

    const result = await chat.result;
    expect(result.code).toBe(130);
    expect(result.stdout).toBe(`${DEFAULT_REPLY}\n`);
    expect(result.stderr).not.toContain('[reply stopped]');
    expect(result.stderr).not.toContain('reply failed');
    expect((await storedMessages(env, id)).map(([role, , text]) => [role, text])).toEqual([
      ['user', 'first question'],
      ['assistant', DEFAULT_REPLY],
      ['user', 'something rude'],
    ]);
  });

  it('sends only the last --context messages as context', async () => {
    const { env } = await fx.loggedIn();
    const id = await newConversation(env);
    const chat = await runCli(env, ['chat', id, '--context', '2'], 'one\ntwo\nthree\n');
    expect(chat.stdout).toBe(`${DEFAULT_REPLY}\n`.repeat(3));
    const context = fx.fake.last.body.messages;
    expect(context.map((m: { role: string }) => m.role)).toEqual(['assistant', 'user']);
    expect(context[1].content).toEqual([{ type: 'text', text: 'three' }]);
  });

  it('starts a new conversation when given none, and quits on /exit', async () => {
    const { env } = await fx.loggedIn();
    const chat = await runCli(env, ['chat', '--model', 'qwen-turbo', '--title', '新的 CLI 对话'], 'hello\n/exit\nnever sent\n');
    expect(chat.code).toBe(0);
    expect(chat.stdout).toBe(`${DEFAULT_REPLY}\n`);
    expect(chat.stderr).toMatch(/^Conversation \d+ "新的 CLI 对话" with qwen-turbo\./);
    const list = JSON.parse((await runCli(env, ['conversations', 'list', '--json'])).stdout);
    expect(list.conversations).toMatchObject([{ title: '新的 CLI 对话', model_name: 'qwen-turbo' }]);
    const id = String(list.conversations[0].conversation_id);
    expect((await storedMessages(env, id)).map(([role, , text]) => [role, text])).toEqual([
      ['user', 'hello'],
      ['assistant', DEFAULT_REPLY],
    ]);
  });

  it('reports a failed reply, keeps the session going, and exits 1 at the end', async () => {
    const { env } = await fx.loggedIn();
    const id = await newConversation(env);
    fx.fake.next({ error: 'data_inspection_failed' });
    const chat = await runCli(env, ['chat', id], 'something rude\nsomething polite\n');
    expect(chat.code).toBe(1);
    expect(chat.stdout).toBe(`${DEFAULT_REPLY}\n`);
    expect(chat.stderr).toContain(`error: ${FAKE_ERRORS.data_inspection_failed.message} (HTTP 400)`);
    expect(chat.stderr).toContain('1 reply failed');
  });

  it('reports a reply that broke off with the request id the server logged it under', async () => {
    const { env } = await fx.loggedIn();
    const id = await newConversation(env);
    fx.fake.next({ fault: 'reset_mid_stream' });
    const chat = await runCli(env, ['chat', id], 'tell me\n');
    expect(chat.code).toBe(1);
    expect(chat.stdout).toBe(`${STALLED_TEXT}\n`);
    expect(chat.stderr).toMatch(/\nerror: 百炼API服务不可用\nrequest id: [0-9a-f-]{36}\n/);
  });

  it.each([
    ['the conversation is deleted', '对话不存在 (HTTP 404)', (env: CliUserEnv, id: string) => runCli(env, ['conversations', 'delete', id])],
    ['the login is revoked', 'the login has expired or was revoked', async (env: CliUserEnv) => {
      const saved = JSON.parse(await readFile(join(env.configDir, 'config.json'), 'utf8')).sessions[fx.app.url];
      return request(fx.app.url, 'POST', '/api/auth/logout', { token: saved.accessToken });
    }],
  ])('ends the session, exiting 1, when %s meanwhile', async (_what, failure, lose) => {
    const { env } = await fx.loggedIn();
    const id = await newConversation(env);
    const chat = startPipedCli(env, ['chat', id]);
    chat.write('first question\n');
    await chat.waitFor(`${DEFAULT_REPLY}\n`);
    await lose(env, id);

    // Input is left open: the session must end by itself, not wait for lines that would all fail.
    chat.write('second question\nthird question\n');
    const ended = await Promise.race([chat.result, setTimeout(15_000, 'still waiting for input')]);
    chat.end();
    expect(ended).toMatchObject({ code: 1, stdout: `${DEFAULT_REPLY}\n` });
    expect(chat.errors().split(failure)).toHaveLength(2);
  });
});

describe('bailian-chat chat, on a terminal', CLI_TESTS, () => {
  it('prompts, stops a reply on Ctrl-C, and quits on a second Ctrl-C at the prompt', async () => {
    const { env } = await fx.loggedIn();
    const id = await newConversation(env);
    fx.fake.next({ fault: 'stall_mid_stream' });
    const chat = startTerminalCli(env, ['chat', id]);
    await chat.waitFor('you> ');
    chat.write('hello\r');
    await chat.waitFor(STALLED_TEXT);
    chat.interrupt();
    await chat.waitFor('[reply stopped]');
    const afterStop = chat.output().indexOf('[reply stopped]');
    await chat.waitFor('you> ', afterStop);

    chat.write('again\r');
    await chat.waitFor(DEFAULT_REPLY, afterStop);
    await chat.waitFor('you> ', chat.output().indexOf(DEFAULT_REPLY, afterStop));
    chat.interrupt();
    expect((await chat.result).code).toBe(0);
    // The cut-off reply was kept (status 2) and went to the model as context with the next question.
    expect((await storedMessages(env, id)).map(([role, status]) => [role, status])).toEqual([
      ['user', 1],
      ['assistant', 2],
      ['user', 1],
      ['assistant', 1],
    ]);
    expect(fx.fake.last.body.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'user']);
  });

  it('shows a spinner on stderr while the first words are awaited', async () => {
    const { env } = await fx.loggedIn();
    const id = await newConversation(env);
    fx.fake.next({ firstByteDelayMs: 800 });
    const chat = startTerminalCli(env, ['chat', id]);
    await chat.waitFor('you> ');
    chat.write('slow one\r');
    await chat.waitFor('thinking…');
    await chat.waitFor(DEFAULT_REPLY);
    chat.write('/exit\r');
    expect((await chat.result).code).toBe(0);
  });
});
