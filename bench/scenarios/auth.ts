import { measure, printTable, startBareExpress, startBenchApp, verdict, type Scenario } from '../harness.js';

async function post(url: string, body: unknown) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await res.json()) as any;
}

/** Authenticated GET /api/auth/user against a bare Express route answering the same JSON. */
export const authScenario: Scenario = {
  name: 'auth',
  async run() {
    const app = await startBenchApp();
    const credentials = { username: 'bench_user', email: 'bench@example.com', password: 'bench password 123' };
    await post(`${app.url}/api/auth/register`, credentials);
    const login = await post(`${app.url}/api/auth/login`, { username: credentials.username, password: credentials.password });
    const token: string = login.data.access_token;
    const sample = await (await fetch(`${app.url}/api/auth/user`, { headers: { authorization: `Bearer ${token}` } })).json();
    const bare = await startBareExpress(sample);
    try {
      const baseline = await measure('auth', 'bare express', `${bare.url}/api/auth/user`);
      const ours = await measure('auth', 'GET /api/auth/user', `${app.url}/api/auth/user`, {
        headers: { authorization: `Bearer ${token}` },
      });
      printTable([baseline, ours]);
      const ratio = ours.requestsPerSecond / baseline.requestsPerSecond;
      return verdict('throughput >= 50% of bare Express', ratio >= 0.5 && ours.errors === 0, `${(ratio * 100).toFixed(1)}%`);
    } finally {
      await bare.close();
      await app.close();
    }
  },
};
