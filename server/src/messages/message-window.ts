/**
 * Page arithmetic for message history. Live messages are ranked 1..total, oldest first; a page is a
 * run of consecutive ranks, which is turned into a starting `seq` so the database can seek to it
 * instead of skipping rows with OFFSET.
 */
export interface RankWindow {
  /** Rank of the oldest message on the page. */
  firstRank: number;
  count: number;
}

/** The ranks a page shows, or null past the end; for `desc` the page counts from the newest. */
export function rankWindow(total: number, offset: number, limit: number, order: 'asc' | 'desc'): RankWindow | null {
  if (offset >= total) return null;
  if (order === 'asc') return { firstRank: offset + 1, count: Math.min(limit, total - offset) };
  const lastRank = total - offset;
  const firstRank = Math.max(1, lastRank - limit + 1);
  return { firstRank, count: lastRank - firstRank + 1 };
}

/**
 * The `seq` of the live message with rank `rank`. Each deleted message at or before the position
 * reached so far pushes it one further; `deletedSeqs` must be ascending.
 */
export function seqOfLiveRank(rank: number, deletedSeqs: readonly number[]): number {
  let seq = rank;
  for (const deleted of deletedSeqs) {
    if (deleted > seq) break;
    seq += 1;
  }
  return seq;
}
