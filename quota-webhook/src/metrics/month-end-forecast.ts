/**
 * The analytics forecaster's month end for `/metrics` (`method="forecast"`):
 * the same computation as `GET /analytics/forecast` (`month_end`, at the
 * instant it ran), per exported zone and subject. A forecast reads a year of
 * daily and four weeks of hourly usage per subject: hundreds of subjects take
 * seconds, past a scraper's timeout, so a scrape never waits for one. It
 * publishes the last completed computation and, when that is stale, starts one
 * in the background (one at a time):
 * - stale = the ledger changed (a subject's month-to-date, or the set of
 *   subjects and zones, differs from the one it was computed on) and it is at
 *   least a minute old, or it is 15 minutes old (the forecast also moves with
 *   the time of day), or it is of another month;
 * - before the first computation completes there is nothing to publish (the
 *   series are absent); a failed one keeps the last figures, is reported once
 *   per run of failures and retried a minute later;
 * - work is bounded: scope `all` and, per zone and scope, the `maxSubjects`
 *   costliest subjects by month-to-date (the long tail of small features or
 *   departments costs a forecast each and moves no month end that matters:
 *   their run rate is still exported).
 * `close()` stops it and waits for the computation in flight (the control plane
 * closes it before its store). The background part (one at a time, turns
 * between subjects, failures, close) is background-computation.ts.
 */
import { parseUsd } from '@tokenmeter/instrumentation/pricing';
import { FORECAST_MAX_SUBJECTS } from '../config.js';
import type { ControlPlane } from '../control-plane.js';
import { usdString, type AnalyticsRequest } from '../analytics/context.js';
import { forecastFrom, loadDailyData } from '../analytics/forecast.js';
import { EVERYTHING } from '../analytics/series.js';
import { BackgroundComputation, type ComputationStats, type Turn } from './background-computation.js';
import type { MonthEndInput, MonthEndProjection } from './month-end.js';
import { NONE_SUBJECT, OTHER_SUBJECT } from './period-totals.js';

/** One subject's projection at `input.now_ms`. */
export type MonthEndForecaster = (cp: ControlPlane, input: MonthEndInput) => Promise<MonthEndProjection>;

export interface ForecastMonthEndOptions {
  /** Least time between two computations (default 60 s); also the wait before retrying a failed one. */
  minAgeMillis?: number;
  /** Recomputed after this long even if the ledger did not change (default 15 min). */
  maxAgeMillis?: number;
  /** Most subjects forecast per zone and scope besides `all`, the costliest by month-to-date (default `TOKENMETER_METRICS_FORECAST_MAX_SUBJECTS`'s, 100; 0 = only `all`). */
  maxSubjects?: number;
  /** One subject's forecast (default `forecastMonthEnd`, the forecast endpoint's computation). */
  forecaster?: MonthEndForecaster;
  /** A failed computation (the first of a run of failures); default: none. */
  onError?: (error: unknown) => void;
  /** Recovery after failures. */
  onInfo?: (message: string, data?: object) => void;
}

/** What a published computation is, besides its figures. */
export interface PublishedForecast {
  /** The instant (service clock, epoch ms) it forecast at. */
  readonly atMs: number;
  /** Subjects (zone, scope, subject) it holds. */
  readonly subjects: number;
  /** Its wall time, ms. */
  readonly durationMs: number;
}

/** A computation's figures (the published one has its wall time too). */
interface Computed extends Omit<PublishedForecast, 'durationMs'> {
  revision: string;
  byKey: Map<string, MonthEndProjection>;
}

/** Computations since start, for the service's own metrics. */
export type ForecastRunStats = ComputationStats;

// The month is part of the key: a forecast of last month is never published as this month's.
const keyOf = (i: MonthEndInput): string => `${i.timezone}\u0000${i.month_start_ms}\u0000${i.scope}\u0000${i.subject}`;

/** What the forecast depends on that a scrape already reads: every subject's month-to-date, in every zone. */
function revisionOf(inputs: readonly MonthEndInput[]): string {
  return inputs.map((i) => `${keyOf(i)}\u0000${i.month_to_date_pico}`).sort().join('\u0001');
}

/** The inputs worth a forecast: scope `all`, and the `maxSubjects` costliest named subjects of each zone and scope. */
export function forecastInputs(inputs: readonly MonthEndInput[], maxSubjects: number): MonthEndInput[] {
  const groups = new Map<string, MonthEndInput[]>();
  for (const input of inputs) {
    if (input.subject === NONE_SUBJECT || input.subject === OTHER_SUBJECT) continue;
    const key = `${input.timezone}\u0000${input.scope}`;
    let list = groups.get(key);
    if (list === undefined) groups.set(key, (list = []));
    list.push(input);
  }
  const out: MonthEndInput[] = [];
  for (const list of groups.values()) {
    if (list[0]!.scope === 'all') {
      out.push(...list);
      continue;
    }
    list.sort((a, b) => (a.month_to_date_pico === b.month_to_date_pico ? (a.subject < b.subject ? -1 : 1) : a.month_to_date_pico > b.month_to_date_pico ? -1 : 1));
    out.push(...list.slice(0, maxSubjects));
  }
  return out;
}

/** Expected (and 80 % bounds) of one subject's month end, exactly as the forecast endpoint rounds them (to the micro-dollar). */
export const forecastMonthEnd: MonthEndForecaster = async (cp, input) => {
  const req: AnalyticsRequest = {
    target: input.scope === 'all' ? EVERYTHING : { scope: input.scope, subject: input.subject }, tz: input.timezone, asOf: input.now_ms,
  };
  const m = forecastFrom(await loadDailyData(cp, req, 'cost')).monthEnd;
  const pico = (x: number): bigint => parseUsd(usdString(x));
  return { expected_pico: pico(m.expected), lower_80_pico: pico(m.lower80), upper_80_pico: pico(m.upper80), method: 'forecast' };
};

export class ForecastMonthEndCache {
  private readonly _run: BackgroundComputation<Computed>;
  private readonly _minAge: number;
  private readonly _maxAge: number;
  private readonly _maxSubjects: number;
  private readonly _forecaster: MonthEndForecaster;

  constructor(options: ForecastMonthEndOptions = {}) {
    this._minAge = options.minAgeMillis ?? 60_000;
    this._maxAge = options.maxAgeMillis ?? 15 * 60_000;
    this._maxSubjects = options.maxSubjects ?? FORECAST_MAX_SUBJECTS;
    this._forecaster = options.forecaster ?? forecastMonthEnd;
    // After a failure, the next attempt waits `minAge`.
    this._run = new BackgroundComputation<Computed>({
      what: 'month-end forecast for /metrics', retryMillis: this._minAge, onError: options.onError, onInfo: options.onInfo,
    });
  }

  /**
   * The published forecast of each input (undefined before the first computation, for `(none)`,
   * `(other)`, subjects beyond the cap and subjects new since), and which computation the figures
   * come from (its own gauges must describe the same one); starts a recomputation when stale.
   * Never waits for one.
   */
  project(inputs: readonly MonthEndInput[], cp: ControlPlane): { projections: Array<MonthEndProjection | undefined>; published: PublishedForecast | undefined } {
    const nowMs = cp.clock();
    const revision = revisionOf(inputs);
    const last = this._run.published;
    const age = last ? nowMs - last.atMs : Infinity;
    const stale = !last || age < 0 || age >= this._maxAge || (age >= this._minAge && last.revision !== revision);
    if (stale) this._run.start(nowMs, (turn) => this._compute(forecastInputs(inputs, this._maxSubjects), cp, nowMs, revision, turn));
    const byKey = last?.byKey;
    return { projections: inputs.map((i) => byKey?.get(keyOf(i))), published: last };
  }

  /** Whether a computation is in flight. */
  get computing(): boolean {
    return this._run.computing;
  }

  /** Resolves when the computation in flight (if any) has completed or failed; never rejects. */
  async settled(): Promise<void> {
    await this._run.settled();
  }

  /** The computation whose figures are published; undefined before the first completes. */
  get published(): PublishedForecast | undefined {
    return this._run.published;
  }

  get stats(): Readonly<ForecastRunStats> {
    return this._run.stats;
  }

  /** Stops starting computations and waits for the one in flight, which stops at its next subject. Idempotent. */
  async close(): Promise<void> {
    await this._run.close();
  }

  /** Forecasts `inputs` one after the other; undefined when closed on the way. */
  private async _compute(inputs: readonly MonthEndInput[], cp: ControlPlane, atMs: number, revision: string, turn: Turn): Promise<Computed | undefined> {
    const byKey = new Map<string, MonthEndProjection>();
    // One subject after the other: a computation must not take every store connection.
    for (const input of inputs) {
      if (!(await turn())) return undefined;
      byKey.set(keyOf(input), await this._forecaster(cp, { ...input, now_ms: atMs }));
    }
    return { atMs, subjects: byKey.size, revision, byKey };
  }
}
