import { displayWidth, pad, truncate } from './display-width.js';

export interface Column<Row> {
  header: string;
  cell(row: Row): string;
  align?: 'left' | 'right';
  /** Free text (a title, a message) that gives up width before ids, names and times do. */
  flexible?: boolean;
}

const GAP = '  ';
/** Narrowest a column is squeezed to: a couple of characters and the ellipsis still say something. */
const MIN_COLUMN = 4;

/** Control characters (a newline in a message, say) would break the grid: show them as spaces. */
const oneLine = (text: string) => text.replace(/[\u0000-\u001f\u007f]+/g, ' ');

/** The widest of the columns `among`, if it can still give up a column of width. */
function widestShrinkable(widths: number[], among: number[]): number | undefined {
  const candidates = among.filter((i) => widths[i]! > MIN_COLUMN);
  if (candidates.length === 0) return undefined;
  return candidates.reduce((widest, i) => (widths[i]! > widths[widest]! ? i : widest));
}

/**
 * Column widths that fit `width`: every column gets its natural width, then the widest flexible
 * column gives up one column at a time until the row fits; only when those are down to the
 * minimum do the others shrink too.
 */
function fitWidths(natural: number[], flexible: boolean[], width: number): number[] {
  const widths = [...natural];
  const all = widths.map((_, i) => i);
  const firstToShrink = all.filter((i) => flexible[i]);
  const total = () => widths.reduce((sum, w) => sum + w, 0) + GAP.length * (widths.length - 1);
  while (total() > width) {
    const column = widestShrinkable(widths, firstToShrink) ?? widestShrinkable(widths, all);
    if (column === undefined) break;
    widths[column]! -= 1;
  }
  return widths;
}

/** A plain-text table, header first, every line at most `width` columns wide. */
export function renderTable<Row>(columns: Column<Row>[], rows: Row[], width: number): string {
  const cells = rows.map((row) => columns.map((column) => oneLine(column.cell(row))));
  const natural = columns.map((column, i) =>
    Math.max(displayWidth(column.header), ...cells.map((line) => displayWidth(line[i]!))),
  );
  const widths = fitWidths(
    natural,
    columns.map((column) => column.flexible ?? false),
    width,
  );
  const line = (values: string[]) =>
    values
      .map((value, i) => pad(truncate(value, widths[i]!), widths[i]!, columns[i]!.align))
      .join(GAP)
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n') + '\n';
}
