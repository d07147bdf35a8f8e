import { ApiConnectionError, ApiTimeoutError } from '@bailian-chat/client';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportError } from '../cli/src/report-error.js';
import { CLI_TESTS, buildCli, runCli } from './support/cli-process.js';
import { answer, closedAfterEachTest, envelope, httpServer, resettingServer } from './support/misbehaving-server.js';

const MODELS = envelope(200, '获取成功', { models: [{ model_name: 'qwen-plus', vision: false }], any_model_allowed: false });

let configDir: string;
beforeAll(async () => {
  configDir = mkdtempSync(join(tmpdir(), 'bailian-chat-cli-'));
  await buildCli();
}, 120_000);
afterAll(() => rmSync(configDir, { recursive: true, force: true }));

const serve = closedAfterEachTest();

const models = (url: string) => runCli({ url, configDir }, ['models']);

describe('bailian-chat when the server does not answer as the API', CLI_TESTS, () => {
  it('says a status without the API’s body likely came from a proxy', async () => {
    const proxy = await serve(
      httpServer((_req, res) => res.writeHead(502, { 'content-type': 'text/html', 'x-request-id': 'proxy-1' }).end('<html>Bad Gateway</html>')),
    );
    const result = await models(proxy.url);
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toBe(
      "error: the server answered HTTP 502 without an API body (a proxy in between, or not the API's URL?)\nrequest id: proxy-1\n",
    );
    // A GET: the SDK's retries (2) before giving up.
    expect(proxy.hits).toBe(3);
  });

  it('says the connection broke off, with its reason', async () => {
    const server = await serve(resettingServer());
    const result = await models(server.url);
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toBe(`error: the connection to the server at ${server.url} broke off before it answered (UND_ERR_SOCKET)\n`);
  });

  it('retries a 429 that asks for a short wait, and reports one that asks for a long one at once', async () => {
    const brief = await serve(
      httpServer((_req, res, index) =>
        index === 0 ? answer(res, 429, envelope(429, '请求频率超限'), { 'retry-after': '0' }) : answer(res, 200, MODELS),
      ),
    );
    const ok = await models(brief.url);
    expect(ok).toMatchObject({ code: 0, stderr: '' });
    expect(ok.stdout).toContain('qwen-plus');
    expect(brief.hits).toBe(2);

    const long = await serve(httpServer((_req, res) => answer(res, 429, envelope(429, '请求频率超限'), { 'retry-after': '30' })));
    const started = Date.now();
    const limited = await models(long.url);
    expect(limited).toMatchObject({ code: 1, stderr: 'error: 请求频率超限 (HTTP 429)\nhint: try again in 30 s\n' });
    expect(long.hits).toBe(1);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('bailian-chat’s messages for the SDK’s connection errors', () => {
  const reported = (error: unknown) => {
    let text = '';
    const code = reportError(error, 'http://api.test', { write: (chunk: string) => ((text += chunk), true) } as NodeJS.WritableStream);
    return { code, text };
  };

  it('a timeout says how long it waited', () => {
    expect(reported(new ApiTimeoutError(600_000))).toEqual({ code: 1, text: 'error: no answer from the server at http://api.test within 10 min\n' });
    expect(reported(new ApiTimeoutError(30_000))).toEqual({ code: 1, text: 'error: no answer from the server at http://api.test within 30 s\n' });
  });

  it('a name that does not resolve is a server that cannot be reached', () => {
    const cause = new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND api.test'), { code: 'ENOTFOUND' }) });
    expect(reported(ApiConnectionError.of(cause)).text).toBe(
      'error: cannot reach the server at http://api.test (ENOTFOUND)\nhint: start it, or point the CLI at it with --base-url or BAILIAN_CHAT_URL\n',
    );
  });
});
