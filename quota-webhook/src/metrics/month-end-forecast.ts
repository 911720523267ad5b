/**
 * The analytics forecaster's month end for `/metrics` (`method="forecast"`):
 * the same computation as `GET /analytics/forecast` (`month_end`, at the
 * instant it ran), per exported zone and subject. A forecast reads a year of
 * daily and four weeks of hourly usage per subject, far too much for every
 * scrape, so the result is kept: it is recomputed at most once a minute, and
 * then only when the ledger changed (a subject's month-to-date, or the set of
 * subjects and zones, differs from the one it was computed on) or it is
 * 15 minutes old (the forecast also moves with the time of day).
 */
import { parseUsd } from '@tokenmeter/instrumentation/pricing';
import type { ControlPlane } from '../control-plane.js';
import { usdString, type AnalyticsRequest } from '../analytics/context.js';
import { forecastFrom, loadDailyData } from '../analytics/forecast.js';
import { EVERYTHING } from '../analytics/series.js';
import type { MonthEndInput, MonthEndProjection } from './month-end.js';
import { NONE_SUBJECT, OTHER_SUBJECT } from './period-totals.js';

export interface ForecastMonthEndOptions {
  /** Least time between two computations (default 60 s). */
  minAgeMillis?: number;
  /** Recomputed after this long even if the ledger did not change (default 15 min). */
  maxAgeMillis?: number;
}

interface Computed {
  atMs: number;
  revision: string;
  byKey: Map<string, MonthEndProjection>;
}

const keyOf = (i: MonthEndInput): string => `${i.timezone}\u0000${i.scope}\u0000${i.subject}`;

/** What the forecast depends on that a scrape already reads: every subject's month-to-date, in every zone. */
function revisionOf(inputs: readonly MonthEndInput[]): string {
  return inputs.map((i) => `${keyOf(i)}\u0000${i.month_to_date_pico}`).sort().join('\u0001');
}

/** Expected (and 80 % bounds) of one subject's month end, exactly as the forecast endpoint rounds them (to the micro-dollar). */
export async function forecastMonthEnd(cp: ControlPlane, input: MonthEndInput): Promise<MonthEndProjection> {
  const req: AnalyticsRequest = {
    target: input.scope === 'all' ? EVERYTHING : { scope: input.scope, subject: input.subject }, tz: input.timezone, asOf: input.now_ms,
  };
  const m = forecastFrom(await loadDailyData(cp, req, 'cost')).monthEnd;
  const pico = (x: number): bigint => parseUsd(usdString(x));
  return { expected_pico: pico(m.expected), lower_80_pico: pico(m.lower80), upper_80_pico: pico(m.upper80), method: 'forecast' };
}

export class ForecastMonthEndCache {
  private _last: Computed | undefined;
  private _running: Promise<Computed> | undefined;
  private readonly _minAge: number;
  private readonly _maxAge: number;

  constructor(options: ForecastMonthEndOptions = {}) {
    this._minAge = options.minAgeMillis ?? 60_000;
    this._maxAge = options.maxAgeMillis ?? 15 * 60_000;
  }

  /** The forecast of each input (undefined for `(none)`, `(other)`, and subjects new since the last computation). */
  async project(inputs: readonly MonthEndInput[], cp: ControlPlane): Promise<Array<MonthEndProjection | undefined>> {
    const nowMs = cp.clock();
    const revision = revisionOf(inputs);
    const last = this._last;
    const age = last ? nowMs - last.atMs : Infinity;
    const stale = !last || age >= this._maxAge || (age >= this._minAge && last.revision !== revision) || age < 0;
    // One computation at a time: concurrent scrapes share it.
    const computed = stale ? await (this._running ??= this._compute(inputs, cp, nowMs, revision).finally(() => { this._running = undefined; })) : last!;
    return inputs.map((i) => computed.byKey.get(keyOf(i)));
  }

  private async _compute(inputs: readonly MonthEndInput[], cp: ControlPlane, atMs: number, revision: string): Promise<Computed> {
    const byKey = new Map<string, MonthEndProjection>();
    // One subject after the other: the scrape must not take every store connection.
    for (const input of inputs) {
      if (input.subject === NONE_SUBJECT || input.subject === OTHER_SUBJECT) continue;
      byKey.set(keyOf(input), await forecastMonthEnd(cp, { ...input, now_ms: atMs }));
    }
    this._last = { atMs, revision, byKey };
    return this._last;
  }
}
