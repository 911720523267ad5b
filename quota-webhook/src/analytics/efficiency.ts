/**
 * Efficiency per feature, model or department: what a successful request
 * costs (all spend, failed calls included, over the successful ones), tokens
 * per request by type, error and block rates, the share of input read from
 * the cache, output per input token and mean latency — each compared with
 * the median over the groups ("the org's median"), as a ratio.
 */
import { formatUsd } from '@tokenmeter/instrumentation/pricing';

export interface EfficiencyGroup {
  key: string | null;
  requests: number;
  ok: number;
  errors: number;
  blocked: number;
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
  reasoning: number;
  cost_pico: bigint;
  /** Σ latency of calls that reached the provider (not blocked), and their count. */
  latency_sum_ms: number;
  latency_count: number;
}

export interface EfficiencyRow {
  key: string | null;
  requests: number;
  successful_requests: number;
  cost_usd: string;
  cost_per_successful_request_usd: string | null;
  tokens_per_request: { input: number; output: number; cache_read: number; cache_write: number; reasoning: number; total: number };
  error_rate: number;
  block_rate: number;
  cache_read_share_of_input: number | null;
  output_per_input: number | null;
  mean_latency_ms: number | null;
  /** Each metric ÷ the median over all groups (1 = typical; null when either side is undefined or the median is 0). */
  vs_median: Record<string, number | null>;
}

export interface EfficiencyMedians {
  cost_per_successful_request_usd: string | null;
  tokens_per_request: number | null;
  error_rate: number | null;
  block_rate: number | null;
  cache_read_share_of_input: number | null;
  output_per_input: number | null;
  mean_latency_ms: number | null;
}

function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function div(a: number, b: number): number | null {
  return b === 0 ? null : a / b;
}

export function median(values: ReadonlyArray<number | null>): number | null {
  const s = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return null;
  return n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

/** Exact median of pico amounts (the mean of the middle two rounded down). */
export function medianPico(values: readonly bigint[]): bigint | null {
  const s = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const n = s.length;
  if (n === 0) return null;
  return n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2n;
}

/** Cost per successful request in pico-USD (rounded half up), or null without successes. */
export function costPerSuccessPico(g: EfficiencyGroup): bigint | null {
  if (g.ok === 0) return null;
  const ok = BigInt(g.ok);
  return (g.cost_pico * 2n + ok) / (ok * 2n);
}

interface Metrics {
  cps: bigint | null;
  tpr: number | null;
  error: number | null;
  block: number | null;
  cache: number | null;
  oi: number | null;
  latency: number | null;
}

function metricsOf(g: EfficiencyGroup): Metrics {
  const input = g.input + g.cache_read + g.cache_write;
  return {
    cps: costPerSuccessPico(g),
    tpr: div(input + g.output + g.reasoning, g.requests),
    error: div(g.errors, g.requests),
    block: div(g.blocked, g.requests),
    cache: div(g.cache_read, input),
    oi: div(g.output + g.reasoning, input),
    latency: div(g.latency_sum_ms, g.latency_count),
  };
}

function vs(value: number | null, med: number | null): number | null {
  if (value === null || med === null || med === 0) return null;
  return round(value / med);
}

export function efficiencyTable(groups: readonly EfficiencyGroup[]): { rows: EfficiencyRow[]; median: EfficiencyMedians } {
  const metrics = groups.map(metricsOf);
  const medCps = medianPico(metrics.map((m) => m.cps).filter((v): v is bigint => v !== null));
  const med = {
    tpr: median(metrics.map((m) => m.tpr)),
    error: median(metrics.map((m) => m.error)),
    block: median(metrics.map((m) => m.block)),
    cache: median(metrics.map((m) => m.cache)),
    oi: median(metrics.map((m) => m.oi)),
    latency: median(metrics.map((m) => m.latency)),
  };
  const rows = groups.map((g, i): EfficiencyRow => {
    const m = metrics[i]!;
    const per = (x: number): number => (g.requests === 0 ? 0 : round(x / g.requests, 1));
    return {
      key: g.key,
      requests: g.requests,
      successful_requests: g.ok,
      cost_usd: formatUsd(g.cost_pico),
      cost_per_successful_request_usd: m.cps === null ? null : formatUsd(m.cps),
      tokens_per_request: {
        input: per(g.input), output: per(g.output), cache_read: per(g.cache_read), cache_write: per(g.cache_write), reasoning: per(g.reasoning),
        total: per(g.input + g.output + g.cache_read + g.cache_write + g.reasoning),
      },
      error_rate: round(m.error ?? 0),
      block_rate: round(m.block ?? 0),
      cache_read_share_of_input: m.cache === null ? null : round(m.cache),
      output_per_input: m.oi === null ? null : round(m.oi),
      mean_latency_ms: m.latency === null ? null : round(m.latency, 1),
      vs_median: {
        cost_per_successful_request: m.cps === null || medCps === null || medCps === 0n ? null : round(Number((m.cps * 1_000_000n) / medCps) / 1_000_000),
        tokens_per_request: vs(m.tpr, med.tpr),
        error_rate: vs(m.error, med.error),
        block_rate: vs(m.block, med.block),
        cache_read_share_of_input: vs(m.cache, med.cache),
        output_per_input: vs(m.oi, med.oi),
        mean_latency_ms: vs(m.latency, med.latency),
      },
    };
  });
  const r = (x: number | null, d = 4): number | null => (x === null ? null : round(x, d));
  return {
    rows,
    median: {
      cost_per_successful_request_usd: medCps === null ? null : formatUsd(medCps),
      tokens_per_request: r(med.tpr, 1),
      error_rate: r(med.error),
      block_rate: r(med.block),
      cache_read_share_of_input: r(med.cache),
      output_per_input: r(med.oi),
      mean_latency_ms: r(med.latency, 1),
    },
  };
}
