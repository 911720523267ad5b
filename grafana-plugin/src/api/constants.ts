/**
 * Enumerations of the control plane API, in a module without the HTTP client
 * (so validation code and its tests load without @grafana/runtime).
 */
export const QUOTA_SCOPES = ['org', 'department', 'user', 'feature', 'provider'] as const;
export const QUOTA_METRICS = ['cost', 'tokens', 'requests'] as const;
export const QUOTA_PERIODS = ['hour', 'day', 'week', 'month'] as const;
export type QuotaScope = (typeof QUOTA_SCOPES)[number];
export type QuotaMetric = (typeof QUOTA_METRICS)[number];
export type QuotaPeriod = (typeof QUOTA_PERIODS)[number];

export const REPORT_KINDS = ['usage', 'chargeback', 'forecast', 'recommendations', 'audit'] as const;
export const REPORT_FORMATS = ['csv', 'json', 'pdf', 'focus'] as const;
export const REPORT_PERIODS = ['month_to_date', 'last_month', 'last_7_days', 'today'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];
export type ReportFormat = (typeof REPORT_FORMATS)[number];
