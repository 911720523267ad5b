/**
 * The baselines every forecast is measured against (and that the chosen
 * method may fall back to): run-rate, seasonal naive, and the mean of the
 * same weekday over the last weeks. Series are per-bucket values, oldest
 * first; a forecast is the next `horizon` values.
 */

/** Run-rate month end: month-to-date ÷ elapsed × month length (the rule most cost tools show). */
export function runRateMonthEnd(monthToDate: number, elapsedDays: number, monthDays: number): number {
  if (elapsedDays <= 0) return Number.NaN;
  return (monthToDate / elapsedDays) * monthDays;
}

/** Seasonal naive: each future bucket repeats the same phase of the last full season. */
export function seasonalNaive(history: readonly number[], horizon: number, period = 7): number[] {
  const n = history.length;
  const out = new Array<number>(horizon);
  for (let h = 1; h <= horizon; h++) {
    if (n === 0) {
      out[h - 1] = 0;
      continue;
    }
    if (n < period) {
      out[h - 1] = history[n - 1]!;
      continue;
    }
    const back = period * (Math.floor((h - 1) / period) + 1);
    out[h - 1] = history[n + h - 1 - back]!;
  }
  return out;
}

/**
 * Mean of the same phase over the last `seasons` seasons (the weekday mean of
 * the last four weeks for daily data). With less than one season of history,
 * the mean of what there is.
 */
export function seasonalMean(history: readonly number[], horizon: number, period = 7, seasons = 4): number[] {
  const n = history.length;
  const out = new Array<number>(horizon);
  if (n === 0) return out.fill(0);
  if (n < period) {
    let s = 0;
    for (const v of history) s += v;
    return out.fill(s / n);
  }
  for (let h = 1; h <= horizon; h++) {
    // The latest index in history with the same phase as n + h − 1.
    let i = n + h - 1 - period * (Math.floor((h - 1) / period) + 1);
    let s = 0;
    let k = 0;
    while (i >= 0 && k < seasons) {
      s += history[i]!;
      k++;
      i -= period;
    }
    out[h - 1] = s / k;
  }
  return out;
}
