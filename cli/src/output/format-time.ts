const two = (n: number) => String(n).padStart(2, '0');

/** An API timestamp (ISO 8601 UTC) as the user's local `YYYY-MM-DD HH:MM`; '' for none. */
export function formatTime(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}
