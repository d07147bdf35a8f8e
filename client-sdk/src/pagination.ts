import type { Pagination } from '@bailian-chat/contract';

export interface Page<T> {
  items: T[];
  pagination: Pagination;
}

/**
 * Every item of a paged list, fetching page after page as the caller iterates, from `firstPage`
 * until the last page. Stopping early (break) fetches nothing more.
 *
 * Pages are offsets into a list that can change under the walk: an item added ahead of the page
 * being read (a new API call, a conversation just written to and so first again) pushes the last
 * item of that page onto the next one. An item the previous page gave (by `keyOf`, its id) is not
 * given again, so that a script that adds up what it walked counts each item once. Only that page
 * is remembered: a walk over millions of API calls stays flat in memory, and an item pushed on by
 * more than a page of new ones between two fetches is the rare case left.
 */
export async function* paginate<T>(
  fetchPage: (page: number) => Promise<Page<T>>,
  keyOf: (item: T) => number,
  firstPage = 1,
): AsyncGenerator<T, void, undefined> {
  let previous = new Set<number>();
  for (let page = firstPage; ; page += 1) {
    const { items, pagination } = await fetchPage(page);
    const keys = new Set(items.map(keyOf));
    for (const item of items) if (!previous.has(keyOf(item))) yield item;
    previous = keys;
    if (items.length === 0 || page >= pagination.total_pages) return;
  }
}
