const DEFAULT_WIDTH = 80;

/**
 * How many columns a table may use: the terminal's width, else `COLUMNS` (what shells export and
 * what lets a script ask for wider output when piping), else 80.
 */
export function terminalWidth(stream: { columns?: number } = process.stdout, env = process.env): number {
  if (stream.columns && stream.columns > 0) return stream.columns;
  const fromEnv = Number(env.COLUMNS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_WIDTH;
}
