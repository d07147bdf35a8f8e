import http from 'node:http';
import https from 'node:https';
import { NodeBodyResponse } from './node-body-response.js';

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/** Upstream went silent for longer than the idle timeout, before or after its headers. */
export class UpstreamIdleTimeoutError extends Error {
  constructor(ms: number) {
    // "timed out" in the message is how the SDK tells a timeout from other connection failures.
    super(`upstream timed out: no data for ${ms} ms`);
  }
}

function headersOf(res: http.IncomingMessage): Headers {
  const headers = new Headers();
  for (let i = 0; i < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
  return headers;
}

function requestHeaders(init: RequestInit): Record<string, string> {
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, name) => {
    headers[name] = value;
  });
  return headers;
}

/**
 * A `fetch` for the openai SDK over node:http(s) with keep-alive agents. Under concurrent load
 * Node's built-in fetch (undici's WHATWG layer) costs several times more per call than node:http,
 * and every call of the proxy pays for it; the SDK needs only what this gives it: status, headers,
 * a body it reads as JSON or as a stream, and abort through `signal` (which fails the request, or
 * the body mid-read, with an AbortError exactly as fetch does). Its answers are NodeBodyResponses.
 *
 * It also ends an exchange that goes silent for `idleTimeoutMs`: the SDK's own timeout stops at the
 * response headers, which would leave a body (a stream above all) that stalls after them hanging.
 */
export function createNodeHttpFetch(idleTimeoutMs: number): typeof fetch {
  const agents = {
    'http:': new http.Agent({ keepAlive: true }),
    'https:': new https.Agent({ keepAlive: true }),
  };
  return (input, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`unsupported URL: ${url.protocol}`);
      if (init.body != null && typeof init.body !== 'string') throw new TypeError('only string bodies are supported');
      const transport = url.protocol === 'https:' ? https : http;
      let response: http.IncomingMessage | undefined;
      const req = transport.request(
        url,
        { method: init.method ?? 'GET', headers: requestHeaders(init), agent: agents[url.protocol], signal: init.signal ?? undefined },
        (res) => {
          response = res;
          const status = res.statusCode ?? 0;
          const nullBody = NULL_BODY_STATUSES.has(status) || req.method === 'HEAD';
          if (nullBody) res.resume();
          try {
            resolve(new NodeBodyResponse(nullBody ? null : res, { status, statusText: res.statusMessage, headers: headersOf(res) }));
          } catch (err) {
            // A status fetch cannot represent (outside 200–599): as broken as a reset connection.
            res.destroy();
            reject(err);
          }
        },
      );
      req.once('error', reject);
      // Destroying the response (once there is one) is what fails a body being read.
      req.setTimeout(idleTimeoutMs, () => (response ?? req).destroy(new UpstreamIdleTimeoutError(idleTimeoutMs)));
      req.end(init.body ?? undefined);
    });
}
