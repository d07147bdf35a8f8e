const DAY_MS = 86_400_000;
/** Every offset a zone ever had (local mean times included) is well under a day. */
const SEARCH_MS = 2 * DAY_MS;
/** Day starts remembered per zone; a bound, not a need: a year of days is 365 entries. */
const MAX_REMEMBERED_DAYS = 20_000;

/**
 * The days of STATS_TIMEZONE, as `YYYY-MM-DD`, and where they start in UTC.
 *
 * Every statistic and every date filter goes through this one definition, so the daily rollup and
 * the list queries always agree: a local day is the half-open UTC interval
 * [startOf(day), startOf(next day)), compared as ISO text exactly as SQL compares `created_at`.
 * Days that DST makes 23 or 25 hours long, or that start at 01:00 because midnight was skipped,
 * come out right because day starts are searched for, not computed from one offset.
 */
export interface LocalCalendar {
  readonly timeZone: string;
  /** The local day an ISO instant (as stored in `created_at`) belongs to. */
  dayOf(instant: string): string;
  /**
   * The ISO bounds of the inclusive local days `firstDay`..`lastDay`: `from` <= created_at < `to`.
   * A bound is undefined when its day is absent or lies beyond what ISO text can order.
   */
  instantRange(firstDay?: string, lastDay?: string): { from?: string; to?: string };
}

/** Epoch day number of a `YYYY-MM-DD` string (a real day, as the contract guarantees). */
function dayNumberOf(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) / DAY_MS;
}

function dayStringOf(dayNumber: number): string {
  return new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
}

/**
 * An instant as comparable ISO text. Years past 9999 (or before 0) get a sign prefix that would sort
 * wrongly against stored timestamps, so they become sentinels that sort after (before) everything.
 */
const AFTER_ALL = '\uffff';
const BEFORE_ALL = '';
function isoText(ms: number): string {
  const iso = new Date(ms).toISOString();
  if (iso.startsWith('+')) return AFTER_ALL;
  if (iso.startsWith('-')) return BEFORE_ALL;
  return iso;
}

class ZoneCalendar implements LocalCalendar {
  private readonly parts: Intl.DateTimeFormat;
  private readonly starts = new Map<number, string>();
  /** The day last answered by dayOf: consecutive rows mostly fall on the same day. */
  private recent = { from: AFTER_ALL, to: BEFORE_ALL, day: '' };

  constructor(readonly timeZone: string) {
    this.parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
    });
  }

  dayOf(instant: string): string {
    const recent = this.recent;
    if (instant >= recent.from && instant < recent.to) return recent.day;
    let day = this.localDayNumber(Date.parse(instant));
    // Where a zone turns its clock back across midnight the wall-clock date repeats; the interval
    // definition decides, so that this answer matches the range filters.
    while (instant < this.startText(day)) day -= 1;
    while (instant >= this.startText(day + 1)) day += 1;
    this.recent = { from: this.startText(day), to: this.startText(day + 1), day: dayStringOf(day) };
    return this.recent.day;
  }

  instantRange(firstDay?: string, lastDay?: string): { from?: string; to?: string } {
    const from = firstDay === undefined ? BEFORE_ALL : this.startText(dayNumberOf(firstDay));
    const to = lastDay === undefined ? AFTER_ALL : this.startText(dayNumberOf(lastDay) + 1);
    return { from: from === BEFORE_ALL ? undefined : from, to: to === AFTER_ALL ? undefined : to };
  }

  /** The wall-clock date in this zone at `ms`, as an epoch day number. */
  private localDayNumber(ms: number): number {
    let year = 0;
    let month = 1;
    let day = 1;
    let bc = false;
    for (const part of this.parts.formatToParts(ms)) {
      if (part.type === 'year') year = Number(part.value);
      else if (part.type === 'month') month = Number(part.value);
      else if (part.type === 'day') day = Number(part.value);
      else if (part.type === 'era') bc = part.value === 'BC';
    }
    const date = new Date(0);
    date.setUTCFullYear(bc ? 1 - year : year, month - 1, day);
    return date.getTime() / DAY_MS;
  }

  private startText(dayNumber: number): string {
    let text = this.starts.get(dayNumber);
    if (text === undefined) {
      if (this.starts.size >= MAX_REMEMBERED_DAYS) this.starts.clear();
      text = isoText(this.startMs(dayNumber));
      this.starts.set(dayNumber, text);
    }
    return text;
  }

  /** The first millisecond whose local date is `dayNumber` or later, by bisection. */
  private startMs(dayNumber: number): number {
    let before = dayNumber * DAY_MS - SEARCH_MS;
    let atOrAfter = dayNumber * DAY_MS + SEARCH_MS;
    while (atOrAfter - before > 1) {
      const mid = Math.floor((before + atOrAfter) / 2);
      if (this.localDayNumber(mid) >= dayNumber) atOrAfter = mid;
      else before = mid;
    }
    return atOrAfter;
  }
}

const calendars = new Map<string, LocalCalendar>();

/** The calendar of an IANA zone (validated by the configuration), shared by every caller. */
export function localCalendar(timeZone: string): LocalCalendar {
  let calendar = calendars.get(timeZone);
  if (!calendar) {
    calendar = new ZoneCalendar(timeZone);
    calendars.set(timeZone, calendar);
  }
  return calendar;
}
