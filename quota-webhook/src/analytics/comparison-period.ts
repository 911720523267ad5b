/**
 * The period a period is compared with. Calendar-aligned periods compare
 * with the calendar months before them (month over month, in the request's
 * time zone); a month-to-date period with the same stretch of the previous
 * month; any other period with the stretch of equal length just before it.
 */
import { windowStart } from '../quotas/periods.js';

function isMonthStart(ms: number, tz: string): boolean {
  return windowStart('month', ms, tz) === ms;
}

/** Start of the month `k` months before the month starting at `monthStart`. */
function monthsBefore(monthStart: number, k: number, tz: string): number {
  let m = monthStart;
  for (let i = 0; i < k; i++) m = windowStart('month', m - 1, tz);
  return m;
}

/** Whole calendar months in [fromMs, toMs) when both ends are month starts, else 0. */
function wholeMonths(fromMs: number, toMs: number, tz: string): number {
  if (!isMonthStart(fromMs, tz) || !isMonthStart(toMs, tz)) return 0;
  let k = 0;
  for (let m = toMs; m > fromMs; m = windowStart('month', m - 1, tz)) k++;
  return k;
}

export interface Period {
  fromMs: number;
  toMs: number;
}

export function previousPeriod(fromMs: number, toMs: number, tz: string): Period & { basis: 'calendar_months' | 'month_to_date' | 'equal_length' } {
  const months = wholeMonths(fromMs, toMs, tz);
  if (months > 0) return { fromMs: monthsBefore(fromMs, months, tz), toMs: fromMs, basis: 'calendar_months' };
  if (isMonthStart(fromMs, tz) && toMs - fromMs < 32 * 86_400_000) {
    const prevFrom = monthsBefore(fromMs, 1, tz);
    return { fromMs: prevFrom, toMs: Math.min(prevFrom + (toMs - fromMs), fromMs), basis: 'month_to_date' };
  }
  return { fromMs: fromMs - (toMs - fromMs), toMs: fromMs, basis: 'equal_length' };
}

/** The month to date at `asOfMs` in `tz`: the default period of the chargeback endpoints. */
export function monthToDate(asOfMs: number, tz: string): Period {
  return { fromMs: windowStart('month', asOfMs, tz), toMs: asOfMs };
}
