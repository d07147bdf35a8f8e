import type { ListApiCallsQuerySchema, Statistics, StatisticsQuerySchema } from '@bailian-chat/contract';
import type { z } from 'zod';
import type { Db } from '../db/database.js';
import type { ServiceDeps } from '../deps.js';
import { BadRequestError } from '../http/errors.js';
import { offsetOf, paginationOf } from '../http/pagination.js';
import { toApiCall } from './api-call-presenter.js';
import { listApiCalls } from './api-calls-repository.js';
import { localCalendar } from './local-calendar.js';
import { type Counts, countApiCalls, countsByDay, countsByModel, spanCorrections, type StatsFilter } from './statistics-repository.js';
import { ensureStatsRollup } from './stats-rollup-rebuild.js';
import type { Executor } from './stats-rollup-repository.js';

type ApiCallsQuery = z.infer<typeof ListApiCallsQuerySchema>;
type StatisticsQuery = z.infer<typeof StatisticsQuerySchema>;

/** Whose rows, of which model, over which days: the one filter both endpoints apply everywhere. */
function filterOf(userId: number, query: StatisticsQuery): StatsFilter {
  if (query.start_date !== undefined && query.end_date !== undefined && query.start_date > query.end_date) {
    throw new BadRequestError([{ field: 'start_date', message: '开始日期不能晚于结束日期' }]);
  }
  return { userId, modelName: query.model_name, firstDay: query.start_date, lastDay: query.end_date };
}

const rollupBuilds = new WeakMap<Db, Promise<void>>();

/**
 * The rollup is built (or rebuilt for a changed STATS_TIMEZONE) once per database, before the first
 * read; a failed build is retried by the next request.
 */
function rollupReady(deps: ServiceDeps): Promise<void> {
  let build = rollupBuilds.get(deps.db);
  if (!build) {
    build = ensureStatsRollup(deps.db, deps.config.statsTimezone).catch((err: unknown) => {
      rollupBuilds.delete(deps.db);
      throw err;
    });
    rollupBuilds.set(deps.db, build);
  }
  return build;
}

/** Several reads that must agree with each other: one transaction, one snapshot on PostgreSQL. */
function inSnapshot<T>(db: Db, read: (trx: Executor) => Promise<T>): Promise<T> {
  return db.transaction().setIsolationLevel('repeatable read').execute(read);
}

export async function apiCalls(deps: ServiceDeps, userId: number, query: ApiCallsQuery) {
  const filter = filterOf(userId, query);
  await rollupReady(deps);
  const { from, to } = localCalendar(deps.config.statsTimezone).instantRange(filter.firstDay, filter.lastDay);
  const offset = offsetOf(query.page, query.limit);
  return inSnapshot(deps.db, async (trx) => {
    const total = await countApiCalls(trx, filter);
    const rows = offset < total ? await listApiCalls(trx, { ...filter, from, to }, { limit: query.limit, offset }) : [];
    return { api_calls: rows.map(toApiCall), pagination: paginationOf(query.page, query.limit, total) };
  });
}

const hasAny = (c: Counts) => c.conversation_count !== 0 || c.message_count !== 0 || c.token_count !== 0;

const total = (rows: Counts[], key: keyof Counts) => rows.reduce((sum, r) => sum + r[key], 0);

export async function statistics(deps: ServiceDeps, userId: number, query: StatisticsQuery): Promise<Statistics> {
  const filter = filterOf(userId, query);
  await rollupReady(deps);
  const { byDay, byModel } = await inSnapshot(deps.db, async (trx) => {
    const days = await countsByDay(trx, filter);
    const models = await countsByModel(trx, filter);
    // Messages of conversations created before (or after) the range: counted above, taken back here.
    const dayRows = new Map(days.map((r) => [r.day, r]));
    const modelRows = new Map(models.map((r) => [r.model_name, r]));
    for (const span of await spanCorrections(trx, filter)) {
      dayRows.get(span.message_day)!.message_count -= span.message_count;
      modelRows.get(span.model_name)!.message_count -= span.message_count;
    }
    return { byDay: days.filter(hasAny), byModel: models.filter(hasAny) };
  });
  return {
    total_conversations: total(byModel, 'conversation_count'),
    total_messages: total(byModel, 'message_count'),
    total_tokens: total(byModel, 'token_count'),
    model_statistics: byModel,
    daily_statistics: byDay.map(({ day, ...counts }) => ({ date: day, ...counts })),
  };
}
