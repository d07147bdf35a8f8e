import type { Pagination } from '@bailian-chat/contract';

export interface Page<T> {
  items: T[];
  pagination: Pagination;
}

/**
 * Every item of a paged list, fetching page after page as the caller iterates, from `firstPage`
 * until the last page. Stopping early (break) fetches nothing more.
 */
export async function* paginate<T>(fetchPage: (page: number) => Promise<Page<T>>, firstPage = 1): AsyncGenerator<T, void, undefined> {
  for (let page = firstPage; ; page += 1) {
    const { items, pagination } = await fetchPage(page);
    yield* items;
    if (items.length === 0 || page >= pagination.total_pages) return;
  }
}
