import pino from 'pino';

/** A logger whose lines (parsed) a test reads: what an operator would find in the log. */
export function readableLogger() {
  const lines: Record<string, any>[] = [];
  return { lines, logger: pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) }) };
}
