import type { Pagination } from '@bailian-chat/contract';

/** Rows to skip before page `page` (1-based) of `perPage` rows. */
export function offsetOf(page: number, perPage: number): number {
  return (page - 1) * perPage;
}

/** The spec's `pagination` block; a page past the end still reports the real totals. */
export function paginationOf(page: number, perPage: number, total: number): Pagination {
  return { current_page: page, per_page: perPage, total, total_pages: Math.ceil(total / perPage) };
}
