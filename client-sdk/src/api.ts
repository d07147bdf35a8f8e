import { PUBLIC_ROUTES, contract } from '@bailian-chat/contract';
import { type AppRoute, initClient } from '@ts-rest/core';
import type { AuthorizedFetch } from './authorized-fetch.js';
import { readBody } from './read-body.js';

/**
 * The contract's ts-rest client, sending through `send` (bearer token, refresh on 401, the
 * caller's fetch). Answers come back as ts-rest gives them: `{status, body, headers}`.
 */
export function createApi(baseUrl: string, send: AuthorizedFetch) {
  const publicRoutes = new Set<AppRoute>(PUBLIC_ROUTES);
  return initClient(contract, {
    baseUrl,
    api: async ({ path, method, headers, body, route, fetchOptions }) => {
      const response = await send(path, { ...fetchOptions, method, headers, body }, publicRoutes.has(route));
      return { status: response.status, body: await readBody(response), headers: response.headers };
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
