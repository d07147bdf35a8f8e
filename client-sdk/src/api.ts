import { PUBLIC_ROUTES, contract } from '@bailian-chat/contract';
import { type AppRoute, type FetchOptions, initClient } from '@ts-rest/core';
import { checkRetries, checkTimeout } from './check-options.js';
import type { AuthorizedFetch } from './authorized-fetch.js';
import { readBody } from './read-body.js';
import type { RequestOptions } from './types.js';

/**
 * The contract's ts-rest client, sending through `send` (bearer token, refresh on 401, the
 * caller's fetch). Answers come back as ts-rest gives them: `{status, body, headers}`.
 */
export function createApi(baseUrl: string, send: AuthorizedFetch) {
  const publicRoutes = new Set<AppRoute>(PUBLIC_ROUTES);
  return initClient(contract, {
    baseUrl,
    // The resources pass their RequestOptions as ts-rest's fetchOptions, which hands them on whole:
    // the SDK's own options are taken out here, the rest is fetch's.
    api: ({ path, method, headers, body, route, fetchOptions }) => {
      const { timeout, maxRetries, ...init } = (fetchOptions ?? {}) as FetchOptions & RequestOptions;
      const options = { isPublic: publicRoutes.has(route), timeout: checkTimeout(timeout), maxRetries: checkRetries(maxRetries) };
      return send(path, { ...init, method, headers, body }, options, async (response) => ({
        status: response.status,
        body: await readBody(response),
        headers: response.headers,
      }));
    },
  });
}

export type Api = ReturnType<typeof createApi>;

/** What every resource group is built from. */
export interface ClientCore {
  api: Api;
  send: AuthorizedFetch;
  baseUrl: string;
}
