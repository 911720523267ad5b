/** What every analytics answer shares: the request (subject, zone, as_of), metric units and the wire form of amounts. */
import { formatUsd, picoToUsd } from '@tokenmeter/instrumentation/pricing';
import type { Target, Usage } from './series.js';
import { totalTokens } from './series.js';
import { isoInZone } from './time-buckets.js';

export interface AnalyticsRequest {
  target: Target;
  tz: string;
  /** Only records with time < asOf count. */
  asOf: number;
}

export type ForecastMetric = 'cost' | 'tokens' | 'requests';
export type SeriesMetric = ForecastMetric | 'errors';

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/** A bucket's value in the metric's unit (USD as a float for the maths; money on the wire stays exact). */
export function valueOf(u: Usage, metric: SeriesMetric): number {
  switch (metric) {
    case 'cost': return picoToUsd(u.cost_pico);
    case 'tokens': return totalTokens(u);
    case 'requests': return u.requests;
    case 'errors': return u.errors;
  }
}

/** Exact value: pico-USD for cost, counts otherwise. */
export function exactOf(u: Usage, metric: SeriesMetric): bigint {
  return metric === 'cost' ? u.cost_pico : BigInt(valueOf(u, metric));
}

/** A float USD amount (a forecast, an expectation) as an exact decimal string, rounded to the micro-dollar. */
export function usdString(x: number): string {
  if (!Number.isFinite(x)) return '0';
  return formatUsd(BigInt(Math.round(x * 1e6)) * 1_000_000n);
}

/**
 * The wire fields of an amount: `{<name>_usd: "1.25"}` for cost (exact when
 * `exact` is given, else rounded to the micro-dollar), `{<name>: 1234}` for
 * counts (rounded to a whole number unless `fraction`).
 */
export function amount(metric: SeriesMetric, name: string, value: number, exact?: bigint, fraction = false): Record<string, string | number> {
  if (metric === 'cost') return { [`${name}_usd`]: exact !== undefined ? formatUsd(exact) : usdString(value) };
  return { [name]: fraction ? Math.round(value * 1000) / 1000 : Math.round(value) };
}

/** Several amounts of one metric at once. */
export function amounts(metric: SeriesMetric, values: Record<string, number>): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(values)) Object.assign(out, amount(metric, k, v));
  return out;
}

/** An instant as the user in `tz` reads it (with the zone's offset). */
export function timeIn(ms: number, tz: string): string {
  return isoInZone(ms, tz);
}

/** The echo of the request every answer starts with. */
export function echo(req: AnalyticsRequest): { scope: string | null; subject: string | null; tz: string; as_of: string } {
  return {
    scope: req.target.scope === 'all' ? null : req.target.scope,
    subject: req.target.scope === 'all' ? null : req.target.subject,
    tz: req.tz,
    as_of: new Date(req.asOf).toISOString(),
  };
}
