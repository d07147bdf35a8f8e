import { displayWidth, pad, truncate } from './display-width.js';

/** `label  value` lines, labels aligned, each line cut to `width` columns. */
export function renderFields(fields: [label: string, value: string | number | null][], width: number): string {
  const labelWidth = Math.max(...fields.map(([label]) => displayWidth(label)));
  return (
    fields
      .map(([label, value]) => truncate(`${pad(label, labelWidth)}  ${value ?? ''}`.trimEnd(), width))
      .join('\n') + '\n'
  );
}
