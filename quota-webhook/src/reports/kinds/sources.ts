/**
 * The analytics a report kind reads, one small interface per kind, shaped as
 * the analytics endpoints answer (`/api/v1/analytics/allocation`, `forecast`,
 * `recommendations`: money as exact `*_usd` strings). The control plane plugs
 * its analytics services in (`ReportSources`); a kind whose source is not
 * connected answers 501 and never makes numbers up. The schemas check what a
 * source returns, so a wiring mistake fails loudly instead of printing wrong figures.
 */
import { z } from 'zod';
import type { AnalyticsScope, ReportFilters } from '../definition.js';

/** The parameters every analytics endpoint takes (only records before `as_of` count). */
export interface AnalyticsQuery {
  scope?: AnalyticsScope;
  subject?: string;
  /** IANA time zone. */
  tz: string;
  /** Epoch ms. */
  as_of: number;
  /** The report's period, epoch ms, [from, to). */
  from: number;
  to: number;
  filters: ReportFilters;
}

const usd = z.string().regex(/^-?\d+(\.\d{1,12})?$/, 'must be an exact decimal USD string');
const probability = z.number().min(0).max(1);

export const allocationResultSchema = z.object({
  total_usd: usd,
  unallocated_usd: usd.optional(),
  rows: z.array(z.object({
    subject: z.string(),
    direct_usd: usd,
    shared_usd: usd,
    total_usd: usd,
    rule_ids: z.array(z.string()).optional(),
  })),
});
export type AllocationResult = z.output<typeof allocationResultSchema>;

const interval = { expected_usd: usd, lower_80_usd: usd, upper_80_usd: usd, lower_95_usd: usd, upper_95_usd: usd };

export const forecastResultSchema = z.object({
  method: z.string().optional(),
  month_to_date_usd: usd.optional(),
  /** Per day: that day's own amount (`actual_usd`: spent so far, today only) and, optionally, the cumulative expectation since the month's start. */
  points: z.array(z.object({ date: z.string(), ...interval, actual_usd: usd.nullable().optional(), cumulative_expected_usd: usd.optional() })),
  month_end: z.object(interval).optional(),
  budgets: z.array(z.object({
    id: z.string(),
    kind: z.enum(['quota', 'budget']).optional(),
    name: z.string().optional(),
    limit_usd: usd,
    probability_exceeded: probability,
    expected_crossing: z.string().nullable(),
  })).optional(),
});
export type ForecastResult = z.output<typeof forecastResultSchema>;

export const recommendationsResultSchema = z.object({
  recommendations: z.array(z.object({
    id: z.string(),
    type: z.string(),
    title: z.string(),
    description: z.string().optional(),
    scope: z.string().optional(),
    subject: z.string().optional(),
    estimated_monthly_savings_usd: usd,
    difficulty: z.enum(['low', 'medium', 'high']),
    confidence: z.union([z.number(), z.string()]),
    dismissed: z.boolean().optional(),
  })),
});
export type RecommendationsResult = z.output<typeof recommendationsResultSchema>;

export interface ChargebackSource {
  /** Chargeback: direct, shared and total spend per subject of `scope`, reconciling exactly with the ledger. */
  allocation(q: AnalyticsQuery & { rules?: ReadonlyArray<Record<string, unknown>> }): Promise<AllocationResult>;
}

export interface ForecastSource {
  /** Daily forecast with 80/95 % intervals, month-end interval, and budget risk. */
  forecast(q: AnalyticsQuery & { horizon: string }): Promise<ForecastResult>;
}

export interface RecommendationsSource {
  recommendations(q: AnalyticsQuery): Promise<RecommendationsResult>;
}

/** The analytics services the reports read; absent = that kind is not available (501). */
export interface ReportSources {
  chargeback?: ChargebackSource;
  forecast?: ForecastSource;
  recommendations?: RecommendationsSource;
}

/** Thrown when a kind's source is not connected (answered as 501). */
export class SourceUnavailableError extends Error {
  override name = 'SourceUnavailableError';
  constructor(readonly kind: string) {
    super(`the ${kind} report needs the analytics service, which this control plane does not have connected`);
  }
}

/** Thrown when a source's answer breaks the contract (a 500: a bug, not bad input). */
export class SourceContractError extends Error {
  override name = 'SourceContractError';
}

/** Parses a source's answer with `schema`, naming the first bad field. */
export function checkSource<S extends z.ZodType>(kind: string, schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new SourceContractError(`the ${kind} analytics answer breaks its contract at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
}
