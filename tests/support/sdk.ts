import { createClient, type ClientOptions, type Tokens } from '@bailian-chat/client';
import { uniqueUser } from './auth.js';

/** A fetch that remembers every request it sends, as `METHOD /path?query`. */
export function recordingFetch() {
  const sent: string[] = [];
  const fetchImpl: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    sent.push(`${init?.method ?? 'GET'} ${url.pathname}${url.search}`);
    return fetch(input, init);
  };
  return { sent, fetch: fetchImpl };
}

/**
 * A fresh user, registered and logged in through the SDK itself, with the client that did it,
 * every token pair it reported (null for a logout), and every request it sent.
 */
export async function sdkUser(baseUrl: string, options: Partial<ClientOptions> = {}) {
  const recorded = recordingFetch();
  const reported: (Tokens | null)[] = [];
  const client = createClient({ baseUrl, fetch: recorded.fetch, onTokens: (t) => reported.push(t), ...options });
  const user = uniqueUser('sdk');
  const registered = await client.auth.register(user);
  const login = await client.auth.login({ username: user.username, password: user.password });
  return { client, user, userId: registered.user_id, login, reported, sent: recorded.sent };
}
