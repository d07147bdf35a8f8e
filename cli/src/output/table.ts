import { displayWidth, pad, truncate } from './display-width.js';

export interface Column<Row> {
  header: string;
  cell(row: Row): string;
  align?: 'left' | 'right';
}

const GAP = '  ';
/** Narrowest a column is squeezed to: a couple of characters and the ellipsis still say something. */
const MIN_COLUMN = 4;

/** Control characters (a newline in a message, say) would break the grid: show them as spaces. */
const oneLine = (text: string) => text.replace(/[\u0000-\u001f\u007f]+/g, ' ');

/**
 * Column widths that fit `width`: every column gets its natural width, then the widest column
 * gives up one column at a time until the row fits (or every column is at the minimum).
 */
function fitWidths(natural: number[], width: number): number[] {
  const widths = [...natural];
  const total = () => widths.reduce((sum, w) => sum + w, 0) + GAP.length * (widths.length - 1);
  while (total() > width) {
    const widest = widths.indexOf(Math.max(...widths));
    if (widths[widest]! <= MIN_COLUMN) break;
    widths[widest]! -= 1;
  }
  return widths;
}

/** A plain-text table, header first, every line at most `width` columns wide. */
export function renderTable<Row>(columns: Column<Row>[], rows: Row[], width: number): string {
  const cells = rows.map((row) => columns.map((column) => oneLine(column.cell(row))));
  const natural = columns.map((column, i) =>
    Math.max(displayWidth(column.header), ...cells.map((line) => displayWidth(line[i]!))),
  );
  const widths = fitWidths(natural, width);
  const line = (values: string[]) =>
    values
      .map((value, i) => pad(truncate(value, widths[i]!), widths[i]!, columns[i]!.align))
      .join(GAP)
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n') + '\n';
}
