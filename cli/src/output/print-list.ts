import type { Pagination } from '@bailian-chat/contract';
import { printJson } from './print-json.js';
import { withSpinner } from './spinner.js';
import { type Column, renderTable } from './table.js';
import { terminalWidth } from './terminal-width.js';

export interface ListOptions {
  json?: boolean;
  /** Every page rather than one. */
  all?: boolean;
}

/** Where a list comes from: one page as the API answers it, or every item across the pages. */
export interface ListSource<Data, Item> {
  page(): Promise<Data>;
  itemsOf(data: Data): Item[];
  paginationOf(data: Data): Pagination;
  all(): AsyncIterable<Item>;
  /** What the items are, singular and with a regular plural in -s, e.g. "conversation". */
  noun: string;
}

const counted = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/**
 * Prints a paged list: `--json` gives the API's data (with its pagination) or, with `--all`, the
 * array of every item; otherwise a table with a footer saying which page this is.
 */
export async function printList<Data, Item>(options: ListOptions, source: ListSource<Data, Item>, columns: Column<Item>[]) {
  if (options.all) {
    const items = await withSpinner(`Loading ${source.noun}s…`, () => collect(source.all()));
    if (options.json) return printJson(items);
    process.stdout.write(renderTable(columns, items, terminalWidth()));
    process.stdout.write(`${counted(items.length, source.noun)}\n`);
    return;
  }
  const data = await withSpinner(`Loading ${source.noun}s…`, () => source.page());
  if (options.json) return printJson(data);
  const { current_page, total_pages, total } = source.paginationOf(data);
  process.stdout.write(renderTable(columns, source.itemsOf(data), terminalWidth()));
  const more = current_page < total_pages ? ` (next: --page ${current_page + 1}, or --all)` : '';
  process.stdout.write(`page ${current_page} of ${Math.max(total_pages, 1)}, ${counted(total, source.noun)}${more}\n`);
}
