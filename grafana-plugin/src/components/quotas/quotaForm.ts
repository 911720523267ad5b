/**
 * The quota/budget form's values and their validation before sending. The
 * rules mirror the control plane's schema (`quota-webhook/src/quotas/model.ts`)
 * so a person sees what to fix without a round trip; the API still checks
 * and its messages are shown when it refuses.
 */
import {
  QUOTA_METRICS,
  QUOTA_PERIODS,
  QUOTA_SCOPES,
  type QuotaMetric,
  type QuotaPeriod,
  type QuotaScope,
} from '../../api/constants';
import type { Budget, BudgetInput, Quota, QuotaInput } from '../../api/resources';
import { isValidTimeZone } from '../../utils/time';

export type QuotaKind = 'quota' | 'budget';

export interface QuotaFormValues {
  kind: QuotaKind;
  id: string;
  name: string;
  scope: QuotaScope;
  subject: string;
  metric: QuotaMetric;
  period: QuotaPeriod;
  timezone: string;
  /** Limit as typed (USD for cost and budgets, else tokens or requests). */
  limit: string;
  enforcement: 'soft' | 'hard';
  /** Percentages as typed: "80, 90, 100". */
  thresholds: string;
  org: string;
}

export type FormErrors = Partial<Record<keyof QuotaFormValues, string>>;

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function emptyForm(kind: QuotaKind, timezone: string): QuotaFormValues {
  return {
    kind,
    id: '',
    name: '',
    scope: 'department',
    subject: '',
    metric: 'cost',
    period: 'month',
    timezone,
    limit: '',
    enforcement: 'soft',
    thresholds: '80, 90, 100',
    org: '',
  };
}

function percents(thresholds: number[]): string {
  return thresholds.map((t) => String(Math.round(t * 10000) / 100)).join(', ');
}

export function formFromQuota(q: Quota): QuotaFormValues {
  return {
    kind: 'quota',
    id: q.id,
    name: q.name ?? '',
    scope: q.scope,
    subject: q.subject,
    metric: q.metric,
    period: q.period,
    timezone: q.timezone,
    limit: String(q.limit),
    enforcement: q.enforcement,
    thresholds: percents(q.thresholds),
    org: q.org ?? '',
  };
}

export function formFromBudget(b: Budget): QuotaFormValues {
  return {
    kind: 'budget',
    id: b.id,
    name: b.name ?? '',
    scope: b.scope,
    subject: b.subject,
    metric: 'cost',
    period: b.period,
    timezone: b.timezone,
    limit: String(b.amount),
    enforcement: 'soft',
    thresholds: percents(b.thresholds),
    org: b.org ?? '',
  };
}

export type Validated =
  | { ok: true; kind: 'quota'; value: QuotaInput }
  | { ok: true; kind: 'budget'; value: BudgetInput }
  | { ok: false; errors: FormErrors };

/** Checks every field; on success, the exact request body to send. */
export function validateQuotaForm(f: QuotaFormValues): Validated {
  const errors: FormErrors = {};
  const id = f.id.trim();
  if (id && !ID.test(id)) {
    errors.id = 'Use 1–128 letters, digits, ".", "_", ":" or "-", starting with a letter or digit';
  } else if (id && f.kind === 'budget' && !id.startsWith('budget-')) {
    errors.id = 'A budget id must start with "budget-"';
  }
  if (f.name.length > 200) {
    errors.name = 'At most 200 characters';
  }
  if (!QUOTA_SCOPES.includes(f.scope)) {
    errors.scope = `Choose one of ${QUOTA_SCOPES.join(', ')}`;
  }
  const subject = f.subject.trim();
  if (!subject) {
    errors.subject = 'Name the subject, or "*" for every subject of the scope';
  } else if (subject.length > 256) {
    errors.subject = 'At most 256 characters';
  }
  if (f.kind === 'quota' && !QUOTA_METRICS.includes(f.metric)) {
    errors.metric = `Choose one of ${QUOTA_METRICS.join(', ')}`;
  }
  if (!QUOTA_PERIODS.includes(f.period)) {
    errors.period = `Choose one of ${QUOTA_PERIODS.join(', ')}`;
  }
  const tz = f.timezone.trim() || 'UTC';
  if (!isValidTimeZone(tz)) {
    errors.timezone = 'Use an IANA time zone such as "Europe/Berlin" or "UTC"';
  }
  const limitText = f.limit.trim();
  const limit = Number(limitText);
  if (!limitText || !Number.isFinite(limit)) {
    errors.limit = 'Enter a number';
  } else if (limit <= 0) {
    errors.limit = 'Must be greater than 0';
  } else if (limit > 1e15) {
    errors.limit = 'Must be at most 1e15';
  } else if (f.kind === 'quota' && f.metric !== 'cost' && !Number.isInteger(limit)) {
    errors.limit = `A ${f.metric} limit is a whole number`;
  }
  const parts = f.thresholds
    .split(/[,\s]+/)
    .map((p) => p.replace('%', '').trim())
    .filter(Boolean);
  const thresholds = parts.map((p) => Number(p) / 100);
  if (parts.length === 0) {
    errors.thresholds = 'List at least one threshold';
  } else if (parts.length > 10) {
    errors.thresholds = 'At most 10 thresholds';
  } else if (thresholds.some((t) => !Number.isFinite(t) || t <= 0 || t > 10)) {
    errors.thresholds = 'Each threshold is a percentage above 0 and at most 1000';
  } else if (new Set(thresholds).size !== thresholds.length) {
    errors.thresholds = 'A threshold is repeated';
  }
  const org = f.org.trim();
  if (org.length > 256) {
    errors.org = 'At most 256 characters';
  }
  if (Object.keys(errors).length > 0) {
    return { ok: false, errors };
  }
  const common = {
    ...(id ? { id } : {}),
    ...(f.name.trim() ? { name: f.name.trim() } : {}),
    scope: f.scope,
    subject,
    period: f.period,
    timezone: tz,
    thresholds: [...thresholds].sort((a, b) => a - b),
    ...(org ? { org } : {}),
  };
  if (f.kind === 'budget') {
    return { ok: true, kind: 'budget', value: { ...common, amount: limit } };
  }
  return { ok: true, kind: 'quota', value: { ...common, metric: f.metric, limit, enforcement: f.enforcement } };
}
