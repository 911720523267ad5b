/** Dates as the API wants them and as people read them. */

export function isValidTimeZone(tz: string): boolean {
  if (!tz) {
    return false;
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The browser's IANA zone (the default for "today" when the settings name none). */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** `2026-03-01T12:00:00Z` → `2026-03-01 12:00` in `tz`; `—` for missing. */
export function formatTime(iso: string | null | undefined, tz?: string, dateOnly = false): string {
  if (!iso) {
    return '—';
  }
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) {
    return iso;
  }
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz || 'UTC',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    ...(dateOnly ? {} : { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' as const }),
  }).formatToParts(d);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const date = `${get('year')}-${get('month')}-${get('day')}`;
  return dateOnly ? date : `${date} ${get('hour')}:${get('minute')}`;
}

/** `YYYY-MM-DD` of an instant in UTC (API date parameters). */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** First day of the current month and of the next one, as `YYYY-MM-DD` (UTC). */
export function currentMonth(now = Date.now()): { from: string; to: string } {
  const d = new Date(now);
  const from = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const to = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  return { from: isoDate(from), to: isoDate(to) };
}
