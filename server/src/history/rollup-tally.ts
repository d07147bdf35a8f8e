import type { StatsDailyTable, StatsMessageSpansTable } from '../db/schema.js';
import type { LocalCalendar } from './local-calendar.js';

/** The `status` of a soft-deleted conversation or message; any other status is live. */
export const DELETED_STATUS = 0;

export interface CountedConversation {
  user_id: number;
  model_name: string;
  created_at: string;
}

export interface CountedApiCall {
  user_id: number;
  model_name: string;
  total_tokens: number;
  created_at: string;
}

/** In stats_daily, '' as `model_name` stands for every model and '' as `day` for every day. */
export const ALL = '';

/** A tally's rows sorted by their keys. */
function inKeyOrder<T>(rows: Map<string, T>): T[] {
  return [...rows.keys()].sort().map((key) => rows.get(key)!);
}

type Counter = 'conversation_count' | 'message_count' | 'token_count' | 'call_count';

/**
 * What the rollup counts, in one place: the write hooks tally a single change and add it to the
 * stored rollup, the rebuild tallies every raw row and stores the result, so both follow the same
 * rules by construction.
 *
 * - a live conversation counts on the day it was created, under its model;
 * - a live message of a live conversation counts on its own day, under its conversation's owner
 *   and model, and also as a span when that day is not its conversation's day (see the migration);
 * - an API call counts its tokens and itself on its day, under its own model.
 *
 * Each count also goes to the all-models, all-days and overall rows of its user.
 */
export class RollupTally {
  private readonly daily = new Map<string, StatsDailyTable>();
  private readonly spans = new Map<string, StatsMessageSpansTable>();

  constructor(private readonly calendar: LocalCalendar) {}

  conversation(conversation: CountedConversation, sign: 1 | -1): void {
    const day = this.calendar.dayOf(conversation.created_at);
    this.count(conversation.user_id, conversation.model_name, day, 'conversation_count', sign);
  }

  message(conversation: CountedConversation, messageCreatedAt: string, sign: 1 | -1): void {
    const day = this.calendar.dayOf(messageCreatedAt);
    this.count(conversation.user_id, conversation.model_name, day, 'message_count', sign);
    const conversationDay = this.calendar.dayOf(conversation.created_at);
    if (conversationDay !== day) this.spanRow(conversation.user_id, day, conversationDay, conversation.model_name).message_count += sign;
  }

  apiCall(call: CountedApiCall): void {
    const day = this.calendar.dayOf(call.created_at);
    this.count(call.user_id, call.model_name, day, 'token_count', call.total_tokens);
    this.count(call.user_id, call.model_name, day, 'call_count', 1);
  }

  /**
   * The tallied rows, leaving out those whose changes cancelled out, in key order: writers that
   * upsert in one order cannot deadlock each other on PostgreSQL.
   */
  dailyRows(): StatsDailyTable[] {
    return inKeyOrder(this.daily).filter(
      (r) => r.conversation_count !== 0 || r.message_count !== 0 || r.token_count !== 0 || r.call_count !== 0,
    );
  }

  spanRows(): StatsMessageSpansTable[] {
    return inKeyOrder(this.spans).filter((r) => r.message_count !== 0);
  }

  private count(userId: number, modelName: string, day: string, counter: Counter, n: number): void {
    // A call recorded without a model (its body failed validation) has model_name '', which is the
    // all-models key itself: it counts in the all-models rows once, not twice.
    if (modelName !== ALL) {
      this.dailyRow(userId, modelName, day)[counter] += n;
      this.dailyRow(userId, modelName, ALL)[counter] += n;
    }
    this.dailyRow(userId, ALL, day)[counter] += n;
    this.dailyRow(userId, ALL, ALL)[counter] += n;
  }

  private dailyRow(userId: number, modelName: string, day: string): StatsDailyTable {
    const key = `${userId}\u0000${modelName}\u0000${day}`;
    let row = this.daily.get(key);
    if (!row) {
      row = { user_id: userId, model_name: modelName, day, conversation_count: 0, message_count: 0, token_count: 0, call_count: 0 };
      this.daily.set(key, row);
    }
    return row;
  }

  private spanRow(userId: number, messageDay: string, conversationDay: string, modelName: string): StatsMessageSpansTable {
    const key = `${userId}\u0000${messageDay}\u0000${conversationDay}\u0000${modelName}`;
    let row = this.spans.get(key);
    if (!row) {
      row = { user_id: userId, message_day: messageDay, conversation_day: conversationDay, model_name: modelName, message_count: 0 };
      this.spans.set(key, row);
    }
    return row;
  }
}
