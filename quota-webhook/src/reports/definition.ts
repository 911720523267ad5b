/**
 * A report definition: what `POST /reports` runs and what a schedule keeps.
 * One zod schema validates both, so a schedule can never hold a definition
 * the API would refuse.
 */
import { z } from 'zod';
import { recordFilterFields } from '../ledger/record-filters.js';
import { isValidTimeZone } from '../quotas/periods.js';

export const REPORT_KINDS = ['usage', 'chargeback', 'forecast', 'recommendations', 'audit'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

export const REPORT_FORMATS = ['csv', 'json', 'pdf', 'focus'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Relative periods, resolved in the report's time zone at generation time (see `periods.ts`). */
export const PERIOD_PRESETS = [
  'today', 'yesterday', 'last_24_hours', 'last_7_days', 'last_30_days', 'last_90_days',
  'week_to_date', 'last_week', 'month_to_date', 'last_month', 'quarter_to_date', 'last_quarter',
  'year_to_date', 'last_year',
] as const;
export type PeriodPreset = (typeof PERIOD_PRESETS)[number];

/** Ledger dimensions a usage report can group by. */
export const USAGE_DIMENSIONS = ['org', 'department', 'user', 'feature', 'project', 'provider', 'model', 'operation', 'outcome', 'investigation', 'session', 'service', 'source'] as const;
export type UsageDimension = (typeof USAGE_DIMENSIONS)[number];

export const GRANULARITIES = ['none', 'hour', 'day', 'week', 'month'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/** Scopes of the analytics endpoints (`scope` + `subject`). */
import { ANALYTICS_SCOPES, type AnalyticsScope } from '../analytics/ledger-sql.js';

export { ANALYTICS_SCOPES, type AnalyticsScope };

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

/** `YYYY-MM-DD` (local midnight in the report's time zone) or an RFC 3339 instant. */
const boundary = z.string().refine((s) => (DATE_ONLY.test(s) || RFC3339.test(s)) && !Number.isNaN(Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s)), {
  message: 'must be a YYYY-MM-DD date (midnight in the report\'s time zone) or an RFC 3339 date-time',
});

export const periodSchema = z.union([
  z.enum(PERIOD_PRESETS),
  z.strictObject({ from: boundary, to: boundary }),
], { error: `must be one of ${PERIOD_PRESETS.join(', ')}, or {"from": …, "to": …}` });

const text = z.string().min(1, 'must not be empty').max(512);

export const filtersSchema = z.strictObject(recordFilterFields);
export type ReportFilters = z.output<typeof filtersSchema>;

const timezone = z.string().refine(isValidTimeZone, { message: 'must be an IANA time zone such as Europe/Berlin' });

/** The longest forecast horizon, in days: `MAX_HORIZON_DAYS` of analytics/forecast.ts (kept here so the CLI does not load the analytics). */
export const MAX_FORECAST_DAYS = 92;
const horizon = z.string().regex(/^(month_end|[1-9]\d{0,2}d)$/, 'must be month_end or a number of days such as 30d');

export const reportDefinitionSchema = z.strictObject({
  kind: z.enum(REPORT_KINDS),
  format: z.enum(REPORT_FORMATS).default('csv'),
  period: periodSchema.default('month_to_date'),
  timezone: timezone.default('UTC'),
  title: z.string().min(1).max(200).optional(),
  filters: filtersSchema.default({}),
  /** usage: rows per combination of these dimensions; audit: the dimension of the ranking chart. */
  group_by: z.array(z.enum(USAGE_DIMENSIONS)).max(4, 'at most 4 dimensions').default([]),
  /** usage: one row per bucket of this size (in the report's time zone) and group; `none` = one per group. */
  granularity: z.enum(GRANULARITIES).default('none'),
  /** chargeback, forecast, recommendations: the analytics scope and subject. */
  scope: z.enum(ANALYTICS_SCOPES).optional(),
  subject: text.optional(),
  /** forecast: `month_end` (default) or `<N>d`. */
  horizon: horizon.optional(),
  /** chargeback: the allocation rules of the analytics allocation endpoint, passed to it unchanged. */
  allocation_rules: z.array(z.record(z.string(), z.unknown())).max(100).optional(),
}).superRefine((d, ctx) => {
  if (d.format === 'focus' && d.kind !== 'usage' && d.kind !== 'chargeback') {
    ctx.addIssue({ code: 'custom', path: ['format'], message: `focus (FOCUS 1.2) is available for the usage and chargeback kinds, not ${d.kind}` });
  }
  if (new Set(d.group_by).size !== d.group_by.length) ctx.addIssue({ code: 'custom', path: ['group_by'], message: 'must not repeat a dimension' });
  if (d.kind !== 'usage' && d.granularity !== 'none') ctx.addIssue({ code: 'custom', path: ['granularity'], message: 'applies to the usage kind only' });
  if (d.horizon !== undefined && d.kind !== 'forecast') ctx.addIssue({ code: 'custom', path: ['horizon'], message: 'applies to the forecast kind only' });
  if (d.allocation_rules !== undefined && d.kind !== 'chargeback') ctx.addIssue({ code: 'custom', path: ['allocation_rules'], message: 'applies to the chargeback kind only' });
  if (d.subject !== undefined && d.scope === undefined) ctx.addIssue({ code: 'custom', path: ['scope'], message: 'is required with subject' });
  if (d.kind === 'forecast') {
    // The forecast is of one subject (or everything), as GET /analytics/forecast: filters would be silently ignored.
    if (d.scope !== undefined && d.subject === undefined) ctx.addIssue({ code: 'custom', path: ['subject'], message: 'is required with scope for the forecast kind' });
    for (const k of Object.keys(d.filters)) ctx.addIssue({ code: 'custom', path: ['filters', k], message: 'does not apply to the forecast kind (use scope and subject)' });
    if (d.horizon !== undefined && d.horizon !== 'month_end' && Number(d.horizon.slice(0, -1)) > MAX_FORECAST_DAYS) {
      ctx.addIssue({ code: 'custom', path: ['horizon'], message: `must be at most ${MAX_FORECAST_DAYS}d` });
    }
  }
  if (typeof d.period === 'object') {
    const from = Date.parse(d.period.from.length === 10 ? `${d.period.from}T00:00:00Z` : d.period.from);
    const to = Date.parse(d.period.to.length === 10 ? `${d.period.to}T00:00:00Z` : d.period.to);
    if (!(from < to)) ctx.addIssue({ code: 'custom', path: ['period', 'to'], message: 'must be after period.from' });
  }
});

export type ReportDefinitionInput = z.input<typeof reportDefinitionSchema>;
export type ReportDefinition = z.output<typeof reportDefinitionSchema>;

/** File extension and content type of each format. */
export const FORMAT_FILES: Record<ReportFormat, { extension: string; contentType: string }> = {
  csv: { extension: 'csv', contentType: 'text/csv; charset=utf-8' },
  json: { extension: 'json', contentType: 'application/json; charset=utf-8' },
  pdf: { extension: 'pdf', contentType: 'application/pdf' },
  focus: { extension: 'focus.csv', contentType: 'text/csv; charset=utf-8' },
};
