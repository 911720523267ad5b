/** A provider row's editable values and their validation (mirrors `PUT /providers/{org}/{provider}`). */
import type { ProviderInput, ProviderLimits, ProviderState } from '../../api/resources';

export const LIMIT_KEYS = ['hourly_requests', 'daily_requests', 'hourly_tokens', 'daily_tokens'] as const;
export type LimitKey = (typeof LIMIT_KEYS)[number];

export interface ProviderFormValues {
  org: string;
  provider: string;
  enabled: boolean;
  priority: string;
  limits: Record<LimitKey, string>;
}

export type ProviderErrors = Partial<Record<'org' | 'provider' | 'priority' | LimitKey, string>>;

export function providerForm(p?: ProviderState): ProviderFormValues {
  const limits = {} as Record<LimitKey, string>;
  for (const k of LIMIT_KEYS) {
    limits[k] = p?.limits?.[k] !== undefined ? String(p.limits[k]) : '';
  }
  return {
    org: p?.org ?? '*',
    provider: p?.provider ?? '',
    enabled: p?.enabled ?? true,
    priority: String(p?.priority ?? 0),
    limits,
  };
}

const WHOLE = /^\d+$/;

export function validateProvider(
  f: ProviderFormValues
): { ok: true; body: ProviderInput } | { ok: false; errors: ProviderErrors } {
  const errors: ProviderErrors = {};
  if (!f.org.trim()) {
    errors.org = 'Name the organisation, or "*" for every organisation';
  }
  if (!f.provider.trim()) {
    errors.provider = 'Name the provider (openai, anthropic, …)';
  } else if (f.provider.includes('/')) {
    errors.provider = 'A provider name has no "/"';
  }
  const priority = f.priority.trim();
  if (!WHOLE.test(priority) || Number(priority) > 1_000_000) {
    errors.priority = 'A whole number from 0 (tried first) to 1000000';
  }
  const limits: ProviderLimits = {};
  for (const k of LIMIT_KEYS) {
    const v = f.limits[k].trim();
    if (v === '') {
      continue;
    }
    if (!WHOLE.test(v) || !Number.isSafeInteger(Number(v))) {
      errors[k] = 'A whole number ≥ 0, or empty for no limit';
    } else {
      limits[k] = Number(v);
    }
  }
  if (Object.keys(errors).length > 0) {
    return { ok: false, errors };
  }
  return { ok: true, body: { enabled: f.enabled, priority: Number(priority), limits } };
}
