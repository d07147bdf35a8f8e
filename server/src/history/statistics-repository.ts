import { sql } from 'kysely';
import { perDatabase, prepareCommittedListQuery } from '../db/prepared-query.js';
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

/** The first and last days a `YYYY-MM-DD` can name: an open end of a range becomes one of these. */
const FIRST_DAY = '0000-01-01';
const LAST_DAY = '9999-12-31';

/** Which `day` values to add up: the filter's days, or the all-days rows when it names none. */
function summedDays(filter: StatsFilter): [string, string] {
  if (filter.firstDay === undefined && filter.lastDay === undefined) return [ALL, ALL];
  return [filter.firstDay ?? FIRST_DAY, filter.lastDay ?? LAST_DAY];
}

/** The rows of one statistics answer, before span corrections. */
export interface StatisticsRows {
  /** Per day, ascending, of the filter's model or of all models. */
  days: Array<Counts & { date: string }>;
  /** Per model (only the filter's when it names one). */
  models: Array<Counts & { model_name: string }>;
  /** Messages counted above whose conversation was created outside the range: to take back. */
  spans: Array<{ day: string; model_name: string; message_count: number }>;
}

const DAYS_ROW = 1;
const MODEL_ROW = 2;
const SPAN_ROW = 3;
/** A span's key: its message day (always 10 characters) followed by its model. */
const DAY_LENGTH = 10;

/**
 * Everything one statistics answer needs, in one statement: one snapshot on every database with
 * no transaction, and one round trip. Each part reads a key range of the rollup: the per-day rows
 * of `model` (or of all models) within [dayFrom, dayTo], per-model rows added up over
 * [sumFrom, sumTo] (the all-days rows when both are ''), and the spans of those days whose
 * conversation day lies outside them.
 */
function statisticsQuery(db: Executor, ofModel: boolean) {
  return (userId: number, model: string, dayFrom: string, dayTo: string, sumFrom: string, sumTo: string) => {
    // All the days in one text value, `day,conversations,messages,tokens;…`: building hundreds of
    // row objects in the driver costs more than the query itself.
    const days = db
      .selectFrom('stats_daily')
      .select([
        sql.lit(DAYS_ROW).as('kind'),
        sql<string>`string_agg(day || ',' || conversation_count || ',' || message_count || ',' || token_count, ';' order by day)`.as('key'),
        sql<number>`0`.as('conversation_count'),
        sql<number>`0`.as('message_count'),
        sql<number>`0`.as('token_count'),
      ])
      .where('user_id', '=', userId)
      .where('model_name', '=', model)
      .where('day', '>=', dayFrom)
      .where('day', '<=', dayTo);
    const userModels = db
      .selectFrom('stats_daily')
      .select('model_name')
      .where('user_id', '=', userId)
      .where('day', '=', ALL)
      .where('model_name', '>', ALL);
    const models = db
      .selectFrom('stats_daily')
      .select((eb) => [
        sql.lit(MODEL_ROW).as('kind'),
        'model_name as key',
        eb.fn.sum<number>('conversation_count').as('conversation_count'),
        eb.fn.sum<number>('message_count').as('message_count'),
        eb.fn.sum<number>('token_count').as('token_count'),
      ])
      .where('user_id', '=', userId)
      // Listing the user's models first lets each model's days be read as one key range.
      .where('model_name', 'in', ofModel ? [model] : userModels)
      .where('day', '>=', sumFrom)
      .where('day', '<=', sumTo)
      .groupBy('model_name');
    const spans = db
      .selectFrom('stats_message_spans')
      .select((eb) => [
        sql.lit(SPAN_ROW).as('kind'),
        sql<string>`message_day || model_name`.as('key'),
        sql<number>`0`.as('conversation_count'),
        eb.fn.sum<number>('message_count').as('message_count'),
        sql<number>`0`.as('token_count'),
      ])
      .where('user_id', '=', userId)
      .$if(ofModel, (q) => q.where('model_name', '=', model))
      .where('message_day', '>=', sumFrom)
      .where('message_day', '<=', sumTo)
      .where((eb) => eb.or([eb('conversation_day', '<', sumFrom), eb('conversation_day', '>', sumTo)]))
      .groupBy(['message_day', 'model_name']);
    return days.unionAll(models).unionAll(spans);
  };
}

// Built and compiled once per database: this answers every statistics request.
const statements = perDatabase((db: Executor) => ({
  statistics: prepareCommittedListQuery(db, 6, statisticsQuery(db, false)),
  statisticsOfModel: prepareCommittedListQuery(db, 6, statisticsQuery(db, true)),
}));

function parseDays(packed: string | null): StatisticsRows['days'] {
  if (!packed) return [];
  return packed.split(';').map((entry) => {
    const [date, conversations, messages, tokens] = entry.split(',');
    return { date: date!, conversation_count: Number(conversations), message_count: Number(messages), token_count: Number(tokens) };
  });
}

export async function readStatistics(db: Executor, filter: StatsFilter): Promise<StatisticsRows> {
  const { modelName } = filter;
  const read = modelName === undefined ? statements(db).statistics : statements(db).statisticsOfModel;
  const [sumFrom, sumTo] = summedDays(filter);
  const rows = await read(filter.userId, modelName ?? ALL, filter.firstDay ?? FIRST_DAY, filter.lastDay ?? LAST_DAY, sumFrom, sumTo);
  const result: StatisticsRows = { days: [], models: [], spans: [] };
  for (const row of rows) {
    const conversation_count = Number(row.conversation_count);
    const message_count = Number(row.message_count);
    const token_count = Number(row.token_count);
    if (row.kind === DAYS_ROW) result.days = parseDays(row.key);
    else if (row.kind === MODEL_ROW) result.models.push({ model_name: row.key, conversation_count, message_count, token_count });
    else result.spans.push({ day: row.key.slice(0, DAY_LENGTH), model_name: row.key.slice(DAY_LENGTH), message_count });
  }
  return result;
}

/** What `apiCallTotal` adds up for a filter: the user, the model (or ALL) and the summed days. */
export function apiCallTotalArgs(filter: StatsFilter): [userId: number, model: string, from: string, to: string] {
  return [filter.userId, filter.modelName ?? ALL, ...summedDays(filter)];
}

/** The number of API calls a filter covers (see apiCallTotalArgs), as a query or a subquery. */
export function apiCallTotal(db: Executor, userId: number, model: string, from: string, to: string) {
  return db
    .selectFrom('stats_daily')
    .select((eb) => eb.fn.sum<number>('call_count').as('calls'))
    .where('user_id', '=', userId)
    .where('model_name', '=', model)
    .where('day', '>=', from)
    .where('day', '<=', to);
}

/** How many API calls the filter covers: the api-calls list's total, without counting rows. */
export async function countApiCalls(db: Executor, filter: StatsFilter): Promise<number> {
  const row = await apiCallTotal(db, ...apiCallTotalArgs(filter)).executeTakeFirst();
  return Number(row?.calls ?? 0);
}
