import { get } from 'node:http';

/** A response as the user sees it: status, headers and the parsed JSON body. */
export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export async function request<T = any>(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; rawBody?: string; token?: string; headers?: Record<string, string> } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(base + path, { method, headers, body });
  const text = await res.text();
  let parsed: any = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/**
 * A GET of `path` exactly as written: fetch would resolve its `..` (even spelled `%2e%2e`) before
 * sending, where a client on a raw socket sends it to the server as it is.
 */
export function rawGet(base: string, path: string): Promise<JsonResponse> {
  return new Promise((resolve, reject) => {
    const req = get(new URL(base), { path }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) if (typeof value === 'string') headers.set(name, value);
        let body: any;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers, body, text });
      });
    });
    req.on('error', reject);
  });
}

export interface Account {
  userId: number;
  username: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

let counter = 0;

/** Registers and logs in a fresh user; names are unique within a test file. */
export async function createAccount(base: string, prefix = 'user'): Promise<Account> {
  counter += 1;
  const username = `${prefix}_${process.pid}_${counter}`;
  const password = `pw-${username}-Secret!`;
  const reg = await request(base, 'POST', '/api/auth/register', {
    body: { username, email: `${username}@example.com`, password },
  });
  if (reg.status !== 200) throw new Error(`register failed: ${reg.text}`);
  const login = await request(base, 'POST', '/api/auth/login', { body: { username, password } });
  if (login.status !== 200) throw new Error(`login failed: ${login.text}`);
  return {
    userId: reg.body.data.user_id,
    username,
    password,
    accessToken: login.body.data.access_token,
    refreshToken: login.body.data.refresh_token,
  };
}
