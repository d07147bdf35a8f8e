import { displayWidth, pad } from './display-width.js';

export interface Bar {
  label: string;
  value: number;
}

const BLOCK = '█';

/**
 * A horizontal bar per entry, the longest value filling the space left after the labels and
 * numbers; any non-zero value gets at least one block so it is not mistaken for zero.
 */
export function renderBarChart(bars: Bar[], width: number): string {
  if (bars.length === 0) return '';
  const labelWidth = Math.max(...bars.map((b) => displayWidth(b.label)));
  const valueWidth = Math.max(...bars.map((b) => String(b.value).length));
  const room = Math.max(1, width - labelWidth - valueWidth - 2);
  const max = Math.max(...bars.map((b) => b.value));
  return bars
    .map((bar) => {
      const length = max === 0 ? 0 : Math.max(bar.value > 0 ? 1 : 0, Math.round((bar.value / max) * room));
      const value = pad(String(bar.value), valueWidth, 'right');
      return `${pad(bar.label, labelWidth)} ${value} ${BLOCK.repeat(length)}`.trimEnd();
    })
    .join('\n') + '\n';
}
