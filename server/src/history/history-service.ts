import type { ListApiCallsQuerySchema, Statistics, StatisticsQuerySchema } from '@bailian-chat/contract';
import type { z } from 'zod';
import type { Db } from '../db/database.js';
import type { ServiceDeps } from '../deps.js';
import { BadRequestError } from '../http/errors.js';
import { offsetOf, paginationOf } from '../http/pagination.js';
import { toApiCall } from './api-call-presenter.js';
import { listApiCalls } from './api-calls-repository.js';
import { localCalendar } from './local-calendar.js';
import { type Counts, countApiCalls, readStatistics, type StatisticsRows, type StatsFilter } from './statistics-repository.js';
import { ensureStatsRollup } from './stats-rollup-rebuild.js';

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
 * Before every history read: the rollup is built (or rebuilt for a changed STATS_TIMEZONE) once per
 * database, a failed build being retried by the next request; and buffered API-call records are
 * written, so a reader sees every call made so far.
 */
function historyReady(deps: ServiceDeps): Promise<void> {
  const flushed = deps.apiCallWriter.flush();
  let build = rollupBuilds.get(deps.db);
  if (!build) {
    build = ensureStatsRollup(deps.db, deps.config.statsTimezone).catch((err: unknown) => {
      rollupBuilds.delete(deps.db);
      throw err;
    });
    rollupBuilds.set(deps.db, build);
  }
  return Promise.all([flushed, build]).then(() => undefined);
}

export async function apiCalls(deps: ServiceDeps, userId: number, query: ApiCallsQuery) {
  const filter = filterOf(userId, query);
  await historyReady(deps);
  const { from, to } = localCalendar(deps.config.statsTimezone).instantRange(filter.firstDay, filter.lastDay);
  const offset = offsetOf(query.page, query.limit);
  // A page past the end is answered from the rollup alone: OFFSET would walk every matching row.
  const known = offset > 0 ? await countApiCalls(deps.db, filter) : undefined;
  if (known !== undefined && offset >= known) {
    return { api_calls: [], pagination: paginationOf(query.page, query.limit, known) };
  }
  const page = await listApiCalls(deps.db, { ...filter, from, to }, { limit: query.limit, offset });
  return { api_calls: page.rows.map(toApiCall), pagination: paginationOf(query.page, query.limit, page.total) };
}

const hasAny = (c: Counts) => c.conversation_count !== 0 || c.message_count !== 0 || c.token_count !== 0;

const total = (rows: Counts[], key: keyof Counts) => rows.reduce((sum, r) => sum + r[key], 0);

/** Takes back the messages of conversations created before (or after) the range. */
function applySpans({ days, models, spans }: StatisticsRows): void {
  if (!spans.length) return;
  const dayRows = new Map(days.map((r) => [r.date, r]));
  const modelRows = new Map(models.map((r) => [r.model_name, r]));
  for (const span of spans) {
    dayRows.get(span.day)!.message_count -= span.message_count;
    modelRows.get(span.model_name)!.message_count -= span.message_count;
  }
}

export async function statistics(deps: ServiceDeps, userId: number, query: StatisticsQuery): Promise<Statistics> {
  const filter = filterOf(userId, query);
  await historyReady(deps);
  const rows = await readStatistics(deps.db, filter);
  applySpans(rows);
  const models = rows.models.filter(hasAny).sort((a, b) => (a.model_name < b.model_name ? -1 : 1));
  return {
    total_conversations: total(models, 'conversation_count'),
    total_messages: total(models, 'message_count'),
    total_tokens: total(models, 'token_count'),
    model_statistics: models,
    daily_statistics: rows.days.filter(hasAny),
  };
}
