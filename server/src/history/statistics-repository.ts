import { ALL } from './rollup-tally.js';
import type { Executor } from './stats-rollup-repository.js';

/** Whose statistics, of which model, over which inclusive local days (`YYYY-MM-DD`). */
export interface StatsFilter {
  userId: number;
  modelName?: string | undefined;
  firstDay?: string | undefined;
  lastDay?: string | undefined;
}

export interface Counts {
  conversation_count: number;
  message_count: number;
  token_count: number;
}

const COUNTS = ['conversation_count', 'message_count', 'token_count'] as const;

const hasDays = (filter: StatsFilter) => filter.firstDay !== undefined || filter.lastDay !== undefined;

/** Counters come back as strings or bigints on some drivers; the API speaks numbers. */
function withNumbers<T extends Counts>(rows: T[]): T[] {
  return rows.map((r) => ({
    ...r,
    conversation_count: Number(r.conversation_count),
    message_count: Number(r.message_count),
    token_count: Number(r.token_count),
  }));
}

/** The user's per-day rows (never the all-days ones) within the filter's days. */
function dayRowsOf(db: Executor, filter: StatsFilter) {
  let query = db.selectFrom('stats_daily').where('user_id', '=', filter.userId).where('day', '>', ALL);
  if (filter.firstDay !== undefined) query = query.where('day', '>=', filter.firstDay);
  if (filter.lastDay !== undefined) query = query.where('day', '<=', filter.lastDay);
  return query;
}

/** Counts per day, ascending, of the filter's model or of all models (a primary-key range). */
export async function countsByDay(db: Executor, filter: StatsFilter) {
  const rows = await dayRowsOf(db, filter)
    .where('model_name', '=', filter.modelName ?? ALL)
    .select(['day', ...COUNTS])
    .orderBy('day')
    .execute();
  return withNumbers(rows);
}

/**
 * Counts per model, by name. Over all days these are stored rows; over a range they are added up
 * from the per-day rows, read from the covering (user_id, day, model_name, …) index.
 */
export async function countsByModel(db: Executor, filter: StatsFilter) {
  if (!hasDays(filter)) {
    const rows = await db
      .selectFrom('stats_daily')
      .select(['model_name', ...COUNTS])
      .where('user_id', '=', filter.userId)
      .where('day', '=', ALL)
      .$if(filter.modelName === undefined, (q) => q.where('model_name', '>', ALL))
      .$if(filter.modelName !== undefined, (q) => q.where('model_name', '=', filter.modelName!))
      .orderBy('model_name')
      .execute();
    return withNumbers(rows);
  }
  const rows = await dayRowsOf(db, filter)
    .$if(filter.modelName !== undefined, (q) => q.where('model_name', '=', filter.modelName!))
    .select((eb) => [
      'model_name',
      eb.fn.sum<number>('conversation_count').as('conversation_count'),
      eb.fn.sum<number>('message_count').as('message_count'),
      eb.fn.sum<number>('token_count').as('token_count'),
    ])
    .groupBy('model_name')
    .orderBy('model_name')
    .execute();
  // The all-models rows are grouped too (filtering them in SQL would steer the planner away from
  // the day index); they are not a model.
  return withNumbers(rows.filter((r) => r.model_name !== ALL));
}

export interface SpanCorrection {
  message_day: string;
  model_name: string;
  message_count: number;
}

/**
 * Messages counted by countsByDay/countsByModel whose conversation was created outside the range:
 * the amounts to subtract. Without bounds every conversation is in range and nothing is.
 */
export async function spanCorrections(db: Executor, filter: StatsFilter): Promise<SpanCorrection[]> {
  const { firstDay, lastDay } = filter;
  if (!hasDays(filter)) return [];
  let query = db.selectFrom('stats_message_spans').where('user_id', '=', filter.userId);
  if (filter.modelName !== undefined) query = query.where('model_name', '=', filter.modelName);
  if (firstDay !== undefined) query = query.where('message_day', '>=', firstDay);
  if (lastDay !== undefined) query = query.where('message_day', '<=', lastDay);
  const rows = await query
    .where((eb) => {
      const outside = [];
      if (firstDay !== undefined) outside.push(eb('conversation_day', '<', firstDay));
      if (lastDay !== undefined) outside.push(eb('conversation_day', '>', lastDay));
      return eb.or(outside);
    })
    .select((eb) => ['message_day', 'model_name', eb.fn.sum<number>('message_count').as('message_count')])
    .groupBy(['message_day', 'model_name'])
    .execute();
  return rows.map((r) => ({ ...r, message_count: Number(r.message_count) }));
}

/** How many API calls the filter covers: the api-calls list's total, without counting rows. */
export async function countApiCalls(db: Executor, filter: StatsFilter): Promise<number> {
  const rows = hasDays(filter) ? dayRowsOf(db, filter) : db.selectFrom('stats_daily').where('user_id', '=', filter.userId).where('day', '=', ALL);
  const row = await rows
    .where('model_name', '=', filter.modelName ?? ALL)
    .select((eb) => eb.fn.sum<number>('call_count').as('calls'))
    .executeTakeFirst();
  return Number(row?.calls ?? 0);
}
