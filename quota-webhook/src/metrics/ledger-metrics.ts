/**
 * The ledger's exact figures for Prometheus, read at scrape time (never
 * cached across scrapes, except the unpriced breakdown while its totals are
 * unchanged):
 * - `tokenmeter_period_{cost_usd,requests,tokens}{period, timezone, scope, subject}`:
 *   the current hour, day, week and month in each time zone the quotas and
 *   budgets use (UTC when there are none); cost as the exact decimal; users
 *   only their cost of the day and the month;
 * - `tokenmeter_period_unpriced_requests{…}`: calls without a price, scopes
 *   `all`, `department` and `model`;
 * - `tokenmeter_projected_month_end_cost_usd{timezone, scope, subject, method}`
 *   (not per user): `method="run_rate"` from this scrape's totals and
 *   `method="forecast"` (the forecast endpoint's month end, the last one
 *   computed in the background: see month-end-forecast.ts; absent until the
 *   first is done), with its 80 % bounds in
 *   `tokenmeter_projected_month_end_cost_{lower,upper}_80_usd`, and the
 *   background computation's own figures (`tokenmeter_month_end_forecast_*`,
 *   forecast-runs.ts);
 * - `tokenmeter_directory_info{user_id, tokenmeter_department, tokenmeter_org} 1`;
 * - the provider gauges (prom-client, on the registry).
 * Cardinality: zones × 4 periods × (1 + orgs + departments + features + providers)
 * series per family, plus zones × 2 periods × users cost series, each scope capped
 * at `metricsMaxSubjects` subjects (the rest summed into `(other)`).
 */
import { formatUsd } from '@tokenmeter/instrumentation/pricing';
import { PROM } from '@tokenmeter/instrumentation/semconv';
import type { Registry } from 'prom-client';
import type { ControlPlane } from '../control-plane.js';
import { renderDirectoryInfo } from './directory-info.js';
import { encodingOf, escapeLabel, FamilyWriter, joinFamilies, PRINTABLE_ASCII } from './exposition.js';
import { renderForecastRuns } from './forecast-runs.js';
import type { ForecastMonthEndCache } from './month-end-forecast.js';
import { projectMonthEnd, type MonthEndInput, type MonthEndProjection, type MonthEndProjector } from './month-end.js';
import { NONE_SUBJECT, OTHER_SUBJECT, readPeriodTotals, type PeriodWindow } from './period-totals.js';
import { registerProviderGauges } from './provider-gauges.js';
import type { TotalsSource } from './scrape-totals.js';
import { UnpricedReader, type UnpricedCounts } from './unpriced.js';

export interface LedgerMetricsOptions {
  /** Replaces the month-end projectors (default: the run rate, then the analytics forecast of `forecast`). */
  projectors?: readonly MonthEndProjector[];
  /** The background forecast published as `method="forecast"` (default: the control plane's, `cp.monthEndForecast`). */
  forecast?: ForecastMonthEndCache;
}

/** The zones the period gauges are exported in: every zone a quota or budget uses, else UTC. */
export function exportedZones(cp: ControlPlane): string[] {
  const zones = [...new Set(cp.quotaSet.all().map((q) => q.timezone))].sort();
  return zones.length > 0 ? zones : ['UTC'];
}

const HELP = {
  cost: 'Exact cost in USD of the current calendar period window (period, timezone) from the ledger, per scope subject; subjects of a scope sum to scope "all" ("(none)" = calls without one, "(other)" = subjects beyond the cap).',
  requests: 'Calls in the current calendar period window from the ledger, per scope subject (as tokenmeter_period_cost_usd, no user scope).',
  tokens: 'Tokens of every type in the current calendar period window from the ledger, per scope subject (as tokenmeter_period_cost_usd, no user scope).',
  unpriced: 'Calls whose model had no price in the current calendar period window, from the ledger (scopes all, department, model).',
  projected: 'Projected cost in USD of the current calendar month per scope subject; label method says how (run_rate: month-to-date x month length / time elapsed, unstable early in the month; forecast: the expected month end of GET /api/v1/analytics/forecast at tokenmeter_month_end_forecast_timestamp_seconds, computed in the background at most once a minute, absent until the first computation is done, for scope all and the costliest subjects of each scope).',
  lower80: 'Lower bound of the 80 % interval of the forecast month-end cost in USD (method="forecast"), as GET /api/v1/analytics/forecast month_end.lower_80_usd at tokenmeter_month_end_forecast_timestamp_seconds; absent until the first computation is done.',
  upper80: 'Upper bound of the 80 % interval of the forecast month-end cost in USD (method="forecast"), as GET /api/v1/analytics/forecast month_end.upper_80_usd at tokenmeter_month_end_forecast_timestamp_seconds; absent until the first computation is done.',
};

/** `{period="…",timezone="…",scope="…",subject="` for one family, window and scope. */
function head(name: string, w: { period: string; tz: string }, scope: string): string {
  return `${name}{period="${w.period}",timezone="${escapeLabel(w.tz)}",scope="${scope}",subject="`;
}

function renderPeriods(windows: readonly PeriodWindow[]): FamilyWriter[] {
  const cost = new FamilyWriter(PROM.periodCost, HELP.cost);
  const requests = new FamilyWriter(PROM.periodRequests, HELP.requests);
  const tokens = new FamilyWriter(PROM.periodTokens, HELP.tokens);
  const rest = '"} ';
  for (const w of windows) {
    for (const [scope, totals] of w.scopes) {
      const heads = [head(PROM.periodCost, w, scope), head(PROM.periodRequests, w, scope), head(PROM.periodTokens, w, scope)] as const;
      const headAscii = PRINTABLE_ASCII.test(heads[0]);
      // Users (thousands of them) only have their cost: calls and tokens per user are what quotas watch.
      const counts = scope !== 'user';
      for (const t of totals) {
        const subject = escapeLabel(t.subject);
        const encoding = headAscii && PRINTABLE_ASCII.test(subject) ? 'latin1' : 'utf8';
        cost.sample(heads[0], subject, rest, formatUsd(t.cost_pico), encoding);
        if (!counts) continue;
        requests.sample(heads[1], subject, rest, String(t.requests), encoding);
        tokens.sample(heads[2], subject, rest, t.tokens.toString(), encoding);
      }
    }
  }
  return [cost, requests, tokens];
}

/**
 * The unpriced counts of the departments the period gauges name: every department with calls in the
 * window (0 when all its calls were priced, so a dashboard filtered to it shows 0, not "no data"), and
 * the departments beyond the cap summed into `(other)` as there. Models are listed only when some call
 * lacks a price.
 */
function departmentsOf(w: PeriodWindow, bySubject: ReadonlyMap<string, number>): Map<string, number> {
  const out = new Map<string, number>((w.scopes.get('department') ?? []).map((t) => [t.subject, 0]));
  for (const [subject, n] of bySubject) {
    const name = out.has(subject) || subject === NONE_SUBJECT ? subject : OTHER_SUBJECT;
    out.set(name, (out.get(name) ?? 0) + n);
  }
  return out;
}

function renderUnpriced(windows: readonly PeriodWindow[], counts: readonly UnpricedCounts[]): FamilyWriter {
  const out = new FamilyWriter(PROM.periodUnpriced, HELP.unpriced);
  windows.forEach((w, i) => {
    for (const [scope, bySubject] of counts[i] ?? []) {
      const h = head(PROM.periodUnpriced, w, scope);
      const byName = scope === 'department' ? departmentsOf(w, bySubject) : bySubject;
      for (const [subject, n] of byName) {
        const s = escapeLabel(subject);
        out.sample(h, s, '"} ', String(n), encodingOf(h, s));
      }
    }
  });
  return out;
}

async function renderProjections(cp: ControlPlane, windows: readonly PeriodWindow[], nowMs: number, projectors: readonly MonthEndProjector[]): Promise<FamilyWriter[]> {
  const inputs: MonthEndInput[] = [];
  for (const w of windows) {
    if (w.period !== 'month') continue;
    for (const [scope, totals] of w.scopes) {
      if (scope === 'user') continue;
      for (const t of totals) {
        inputs.push({ scope, subject: t.subject, timezone: w.tz, month_start_ms: w.window_start, month_end_ms: w.next_start, now_ms: nowMs, month_to_date_pico: t.cost_pico });
      }
    }
  }
  const results = await Promise.all(projectors.map((p) => p(inputs, cp)));
  const expected = new FamilyWriter(PROM.projectedMonthEndCost, HELP.projected);
  const lower = new FamilyWriter(PROM.projectedMonthEndCostLower80, HELP.lower80);
  const upper = new FamilyWriter(PROM.projectedMonthEndCostUpper80, HELP.upper80);
  const write = (out: FamilyWriter, name: string, input: MonthEndInput, p: MonthEndProjection, pico: bigint): void => {
    const h = `${name}{timezone="${escapeLabel(input.timezone)}",scope="${input.scope}",subject="`;
    const s = escapeLabel(input.subject);
    const rest = `",method="${escapeLabel(p.method)}"} `;
    out.sample(h, s, rest, formatUsd(pico), encodingOf(h, s, rest));
  };
  // Grouped by family (the exposition format wants a family's samples together), projector after projector.
  for (const projections of results) {
    inputs.forEach((input, i) => {
      const p = projections[i];
      if (p === undefined) return;
      write(expected, PROM.projectedMonthEndCost, input, p, p.expected_pico);
      if (p.lower_80_pico !== undefined) write(lower, PROM.projectedMonthEndCostLower80, input, p, p.lower_80_pico);
      if (p.upper_80_pico !== undefined) write(upper, PROM.projectedMonthEndCostUpper80, input, p, p.upper_80_pico);
    });
  }
  return [expected, lower, upper];
}

/**
 * Registers the provider gauges on `registry` and returns the renderer of the
 * other families (appended to the registry's text by `/metrics`, which passes
 * the scrape's totals reads, shared with the quota gauges). Rendering never
 * waits for a forecast.
 */
export function registerLedgerMetrics(registry: Registry, cp: ControlPlane, options: LedgerMetricsOptions = {}): (totals?: TotalsSource) => Promise<Buffer[]> {
  registerProviderGauges(registry, () => cp.providers.states(cp.clock()));
  const unpriced = new UnpricedReader(cp.store);
  const forecast = options.forecast ?? cp.monthEndForecast;
  return async (totals = cp.store) => {
    // The forecast's own gauges describe the computation this scrape's figures come from (another may publish meanwhile).
    let published = forecast.published;
    const projectors = options.projectors ?? [projectMonthEnd, async (inputs: readonly MonthEndInput[], c: ControlPlane) => {
      const r = forecast.project(inputs, c);
      published = r.published;
      return r.projections;
    }];
    const nowMs = cp.clock();
    const windows = await readPeriodTotals(totals, exportedZones(cp), nowMs, cp.config.metricsMaxSubjects);
    const [counts, projections] = await Promise.all([unpriced.read(windows), renderProjections(cp, windows, nowMs, projectors)]);
    return joinFamilies([...renderPeriods(windows), renderUnpriced(windows, counts), ...projections, renderDirectoryInfo(cp.directory.view.values()), ...renderForecastRuns(published, forecast.stats)]);
  };
}
