/** Timestamps as the database stores them: ISO 8601 UTC with milliseconds, ending in Z. */
export function nowIso(): string {
  return new Date().toISOString();
}

export function isoAfterSeconds(seconds: number, from = Date.now()): string {
  return new Date(from + seconds * 1000).toISOString();
}
