import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@bailian-chat/server';
import { isTransientFailure } from '../server/src/db/errors.js';
import type { NewApiCall } from '../server/src/db/schema.js';
import { ApiCallWriter } from '../server/src/history/api-call-writer.js';
import { recountStatsRollup } from '../server/src/history/stats-rollup-rebuild.js';
import { storedRollup } from '../server/src/history/stats-rollup-repository.js';
import { createAccount, request, type Account } from './support/http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const ZONE = 'Asia/Shanghai';

let app: TestApp;
let alice: Account;

beforeAll(async () => {
  app = await startTestApp({ STATS_TIMEZONE: ZONE });
  alice = await createAccount(app.url, 'alice');
  // Build the rollup first, so the writes below are kept by the write path, not by a recount.
  await request(app.url, 'GET', '/api/history/conversations/statistics', { token: alice.accessToken });
});
afterAll(() => app.close());

function call(model: string, tokens: number, createdAt: string): NewApiCall {
  return {
    user_id: alice.userId,
    conversation_id: null,
    message_id: null,
    model_name: model,
    api_endpoint: '/api/bailian/chat/completions',
    status_code: 200,
    request_tokens: 1,
    response_tokens: tokens - 1,
    total_tokens: tokens,
    call_duration: 10,
    client_ip: '127.0.0.1',
    upstream_request_id: null,
    stream: 0,
    error_code: null,
    created_at: createdAt,
  };
}

const storedCalls = () => app.db.selectFrom('api_calls').selectAll().orderBy('id').execute();

describe('ApiCallWriter', () => {
  it('stores a burst of records, in order, and keeps the rollup equal to a recount', async () => {
    const writer = new ApiCallWriter(app.db, createLogger('silent'));
    const burst = [
      call('qwen-plus', 10, '2024-03-01T15:59:59.000Z'),
      call('qwen-max', 20, '2024-03-01T16:00:00.000Z'),
      call('qwen-plus', 30, '2024-03-02T01:00:00.000Z'),
      call('', 40, '2024-03-02T02:00:00.000Z'),
    ];
    for (const record of burst) writer.write(record);
    expect(await storedCalls()).toHaveLength(0);

    await writer.flush();
    const rows = await storedCalls();
    expect(rows.map((r) => [r.model_name, r.total_tokens, r.created_at])).toEqual(
      burst.map((r) => [r.model_name, r.total_tokens, r.created_at]),
    );
    const stored = await storedRollup(app.db);
    const recount = await recountStatsRollup(app.db, ZONE);
    const byKey = <T extends object>(list: T[]) => list.map((r) => JSON.stringify(Object.entries(r).sort())).sort();
    expect(byKey(stored.daily)).toEqual(byKey(recount.dailyRows()));
  });

  it('writes on its own within its batch window, and the history list shows the records', async () => {
    const writer = new ApiCallWriter(app.db, createLogger('silent'));
    const before = (await storedCalls()).length;
    writer.write(call('qwen-turbo', 5, '2024-03-03T00:00:00.000Z'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await storedCalls()).toHaveLength(before + 1);
    const res = await request(app.url, 'GET', '/api/history/api-calls?model_name=qwen-turbo', { token: alice.accessToken });
    expect(res.body.data.pagination.total).toBe(1);
    expect(res.body.data.api_calls[0].total_tokens).toBe(5);
  });

  it('drains the records still on their way as well as the queued ones, and a failed one stops nothing', async () => {
    const writer = new ApiCallWriter(app.db, createLogger('silent'));
    const before = (await storedCalls()).length;
    let deliver!: () => void;
    const delivered = new Promise<void>((resolve) => (deliver = resolve));
    writer.expect(delivered.then(() => writer.write(call('qwen-long', 7, '2024-03-05T00:00:00.000Z'))));
    writer.expect(Promise.reject(new Error('a record that never came')));
    writer.write(call('qwen-long', 6, '2024-03-05T00:00:00.000Z'));
    const drained = writer.drain();
    setTimeout(deliver, 20);
    await drained;
    expect((await storedCalls()).slice(before).map((r) => r.total_tokens)).toEqual([6, 7]);
  });

  it('tries a batch again when its database connection was lost, and stores it once', async () => {
    let failures = 2;
    // The insert fails the way pg fails a query on a connection the server terminated (a failover,
    // pg_terminate_backend): seen to lose whole batches of records under load.
    const losesItsConnection = app.db.withPlugin({
      transformQuery({ node }) {
        if (node.kind === 'InsertQueryNode' && failures > 0) {
          failures--;
          throw new Error('Connection terminated unexpectedly');
        }
        return node;
      },
      transformResult: async ({ result }) => result,
    });
    const warnings: unknown[] = [];
    const errors: unknown[] = [];
    const logger = createLogger('silent');
    logger.warn = ((obj: unknown) => void warnings.push(obj)) as typeof logger.warn;
    logger.error = ((obj: unknown) => void errors.push(obj)) as typeof logger.error;
    const writer = new ApiCallWriter(losesItsConnection, logger);
    const before = (await storedCalls()).length;
    writer.write(call('qwen-vl-max', 3, '2024-03-06T00:00:00.000Z'));
    writer.write(call('qwen-vl-max', 4, '2024-03-06T00:00:01.000Z'));
    await writer.flush();
    expect((await storedCalls()).slice(before).map((r) => r.total_tokens)).toEqual([3, 4]);
    expect(warnings).toHaveLength(2);
    expect(errors).toEqual([]);
    const stored = await storedRollup(app.db);
    const recount = await recountStatsRollup(app.db, ZONE);
    const byKey = <T extends object>(list: T[]) => list.map((r) => JSON.stringify(Object.entries(r).sort())).sort();
    expect(byKey(stored.daily)).toEqual(byKey(recount.dailyRows()));
  });

  it('logs a batch it could not store and goes on writing later ones', async () => {
    const errors: unknown[] = [];
    const logger = createLogger('silent');
    logger.error = ((obj: unknown) => void errors.push(obj)) as typeof logger.error;
    const writer = new ApiCallWriter(app.db, logger);
    writer.write({ ...call('qwen-plus', 1, '2024-03-04T00:00:00.000Z'), user_id: 999_999 }); // no such user: FK refuses
    await writer.flush();
    expect(errors).toHaveLength(1);
    const before = (await storedCalls()).length;
    writer.write(call('qwen-plus', 2, '2024-03-04T00:00:00.000Z'));
    await writer.flush();
    expect(await storedCalls()).toHaveLength(before + 1);
  });
});

describe('isTransientFailure', () => {
  const withCode = (code: string) => Object.assign(new Error('x'), { code });

  it('is true for a lost or refused connection, a statement the server interrupted and a lock not granted in time', () => {
    for (const code of ['57P01', '57014', '08006', '53300', '40001', '40P01', '55P03', 'ECONNREFUSED', 'ECONNRESET', 'SQLITE_BUSY']) {
      expect(isTransientFailure(withCode(code)), code).toBe(true);
    }
    expect(isTransientFailure(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransientFailure(new Error('Client has encountered a connection error and is not queryable'))).toBe(true);
  });

  it('is false for what fails every time: constraints, bad data, bad SQL', () => {
    for (const code of ['23503', '23505', '22P02', '42P01', '40002', '55000', '55006', 'SQLITE_CONSTRAINT_FOREIGNKEY', 'ERR_INVALID_ARG_TYPE']) {
      expect(isTransientFailure(withCode(code)), code).toBe(false);
    }
    expect(isTransientFailure(new Error('no such table: api_calls'))).toBe(false);
    expect(isTransientFailure('Connection terminated')).toBe(false);
  });
});
