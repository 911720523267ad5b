/**
 * Feature ROI. Admins record what a feature is worth — USD per successful
 * request, USD per month, or both — from an effective date; a later version
 * replaces an earlier one from its own date. Over a period the value is the
 * sum over the versions' segments of (successful requests in the segment ×
 * USD per success) + (USD per month × the share of each calendar month, in
 * the request's time zone, the segment covers). Exact pico-USD; the monthly
 * share is rounded half up to the pico-dollar per month.
 * ROI = (value − cost) / cost; net = value − cost.
 */
import { formatUsd, parseUsd } from '@tokenmeter/instrumentation/pricing';
import { nextWindowStart, windowStart } from '../quotas/periods.js';

/** One version of a feature's value. */
export interface FeatureValueVersion {
  /** RFC 3339 date or date-time, as the admin gave it. */
  effective_from: string;
  effective_ms: number;
  usd_per_success?: string;
  usd_per_month?: string;
  set_by?: string;
  set_at?: string;
}

/** A stretch of the period under one version. */
export interface ValueSegment {
  fromMs: number;
  toMs: number;
  version: FeatureValueVersion;
}

/** The segments of [fromMs, toMs) each version covers (none before the first effective date). */
export function valueSegments(versions: readonly FeatureValueVersion[], fromMs: number, toMs: number): ValueSegment[] {
  const sorted = [...versions].sort((a, b) => a.effective_ms - b.effective_ms);
  const out: ValueSegment[] = [];
  sorted.forEach((v, i) => {
    const next = sorted[i + 1];
    const start = Math.max(fromMs, v.effective_ms);
    const end = Math.min(toMs, next ? next.effective_ms : Number.POSITIVE_INFINITY);
    if (start < end) out.push({ fromMs: start, toMs: end, version: v });
  });
  return out;
}

/** USD per month over [fromMs, toMs): each calendar month (in `tz`) contributes its covered share, rounded half up. */
export function monthlyValuePico(usdPerMonthPico: bigint, fromMs: number, toMs: number, tz: string): bigint {
  let total = 0n;
  let monthStart = windowStart('month', fromMs, tz);
  while (monthStart < toMs) {
    const monthEnd = nextWindowStart('month', monthStart, tz);
    const overlap = Math.min(toMs, monthEnd) - Math.max(fromMs, monthStart);
    if (overlap > 0) {
      const len = BigInt(monthEnd - monthStart);
      total += (usdPerMonthPico * BigInt(overlap) * 2n + len) / (len * 2n);
    }
    monthStart = monthEnd;
  }
  return total;
}

/** The value of a feature over segments, given the successful requests in each (same order). */
export function featureValuePico(segments: readonly ValueSegment[], successes: readonly number[], tz: string): bigint {
  let total = 0n;
  segments.forEach((s, i) => {
    if (s.version.usd_per_success !== undefined) total += parseUsd(s.version.usd_per_success) * BigInt(successes[i] ?? 0);
    if (s.version.usd_per_month !== undefined) total += monthlyValuePico(parseUsd(s.version.usd_per_month), s.fromMs, s.toMs, tz);
  });
  return total;
}

export interface RoiFigures {
  value_usd: string;
  cost_usd: string;
  net_usd: string;
  /** (value − cost) / cost, rounded to 4 decimals; `null` when the cost is 0. */
  roi: number | null;
}

/** ROI as a ratio; exact to 4 decimals (computed in integers, then one division). */
export function roiFigures(valuePico: bigint, costPico: bigint): RoiFigures {
  const net = valuePico - costPico;
  let roi: number | null = null;
  if (costPico !== 0n) {
    // Round half away from zero at 4 decimals.
    const scaled = net * 10_000n;
    const q = scaled / costPico;
    const r = scaled % costPico;
    const adjust = (r < 0n ? -r : r) * 2n >= (costPico < 0n ? -costPico : costPico) ? (scaled < 0n ? -1n : 1n) : 0n;
    roi = Number(q + adjust) / 10_000;
  }
  return { value_usd: formatUsd(valuePico), cost_usd: formatUsd(costPico), net_usd: formatUsd(net), roi };
}
