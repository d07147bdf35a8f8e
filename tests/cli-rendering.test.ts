import { describe, expect, it } from 'vitest';
import { renderBarChart } from '../cli/src/output/bar-chart.js';
import { truncate } from '../cli/src/output/display-width.js';
import { renderTable } from '../cli/src/output/table.js';

describe('the per-day bar chart', () => {
  it('scales the bars to the largest value and the width, keeping any non-zero value visible', () => {
    const chart = renderBarChart(
      [
        { label: '2026-01-01', value: 1000 },
        { label: '2026-01-02', value: 500 },
        { label: '2026-01-03', value: 0 },
        { label: '2026-01-04', value: 1 },
      ],
      40,
    );
    // 40 columns less the label (10), the widest number (4) and two spaces leave 24 for the bars.
    expect(chart).toBe(
      ['2026-01-01 1000 ' + '█'.repeat(24), '2026-01-02  500 ' + '█'.repeat(12), '2026-01-03    0', '2026-01-04    1 █', ''].join('\n'),
    );
  });

  it('draws nothing for no days and no bars when every day is zero', () => {
    expect(renderBarChart([], 80)).toBe('');
    expect(renderBarChart([{ label: '2026-01-01', value: 0 }], 80)).toBe('2026-01-01 0\n');
  });
});

describe('tables and cells', () => {
  it('cuts wide characters by their columns, never in half', () => {
    expect(truncate('通义千问', 8)).toBe('通义千问');
    expect(truncate('通义千问', 7)).toBe('通义千…');
    expect(truncate('通义千问', 6)).toBe('通义…');
    expect(truncate('hello world', 6)).toBe('hello…');
  });

  it('squeezes the free-text column first and puts a newline in a cell on one line', () => {
    const rows = [{ id: 7, text: 'first line\nsecond line, which is long', when: '2026-01-01 10:00' }];
    const table = renderTable(
      [
        { header: 'ID', cell: (r: (typeof rows)[0]) => String(r.id), align: 'right' },
        { header: 'TEXT', cell: (r: (typeof rows)[0]) => r.text, flexible: true },
        { header: 'WHEN', cell: (r: (typeof rows)[0]) => r.when },
      ],
      rows,
      40,
    );
    expect(table).toBe(['ID  TEXT                WHEN', ' 7  first line second…  2026-01-01 10:00', ''].join('\n'));
  });
});
