/** The price override form and the re-price form, validated before sending (mirrors the pricing engine's checks). */
import type { PriceEntry, PriceInput, PriceRates } from '../../api/resources';

export const RATE_KEYS = ['input', 'output', 'cache_read', 'cache_write', 'reasoning'] as const;
export type RateKey = (typeof RATE_KEYS)[number];

export interface PriceFormValues {
  id: string;
  provider: string;
  model_pattern: string;
  match: 'exact' | 'regex';
  effective_from: string;
  effective_to: string;
  org: string;
  rates: Record<RateKey, string>;
  notes: string;
}

export type PriceErrors = Partial<Record<Exclude<keyof PriceFormValues, 'rates'> | RateKey, string>>;

/** USD per million tokens: a decimal with at most 6 fractional digits. */
const RATE = /^\d+(\.\d{1,6})?$/;
const DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

export function priceForm(p?: PriceEntry, today = new Date().toISOString().slice(0, 10)): PriceFormValues {
  const rates = {} as Record<RateKey, string>;
  for (const k of RATE_KEYS) {
    rates[k] = p?.prices?.[k] ?? '';
  }
  return {
    id: p?.source === 'admin' ? p.id : '',
    provider: p?.provider ?? '',
    model_pattern: p?.model_pattern ?? '',
    match: p?.match ?? 'exact',
    effective_from: p?.source === 'admin' ? p.effective_from : today,
    effective_to: p?.source === 'admin' ? (p.effective_to ?? '') : '',
    org: p?.source === 'admin' ? (p.org ?? '') : '',
    rates,
    notes: p?.source === 'admin' ? (p.notes ?? '') : '',
  };
}

export function validatePrice(f: PriceFormValues): { ok: true; body: PriceInput } | { ok: false; errors: PriceErrors } {
  const errors: PriceErrors = {};
  if (!f.provider.trim()) {
    errors.provider = 'Name the provider (openai, anthropic, …)';
  }
  if (!f.model_pattern.trim()) {
    errors.model_pattern = 'Name the model, or a regular expression with match "regex"';
  } else if (f.match === 'regex') {
    try {
      new RegExp(f.model_pattern);
    } catch {
      errors.model_pattern = 'Not a valid regular expression';
    }
  }
  if (!DATE.test(f.effective_from.trim()) || Number.isNaN(Date.parse(f.effective_from.trim()))) {
    errors.effective_from = 'A date (YYYY-MM-DD) or an RFC 3339 date-time';
  }
  if (f.effective_to.trim()) {
    if (!DATE.test(f.effective_to.trim()) || Number.isNaN(Date.parse(f.effective_to.trim()))) {
      errors.effective_to = 'A date (YYYY-MM-DD) or an RFC 3339 date-time, or empty';
    } else if (!errors.effective_from && Date.parse(f.effective_to.trim()) <= Date.parse(f.effective_from.trim())) {
      errors.effective_to = 'Must be after "effective from"';
    }
  }
  const prices: Partial<PriceRates> = {};
  for (const k of RATE_KEYS) {
    const v = f.rates[k].trim();
    if (!v) {
      if (k === 'input' || k === 'output') {
        errors[k] = 'Required: USD per million tokens';
      }
      continue;
    }
    if (!RATE.test(v)) {
      errors[k] = 'USD per million tokens, e.g. 2.5 (at most 6 decimals)';
    } else {
      prices[k] = v;
    }
  }
  if (Object.keys(errors).length > 0) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    body: {
      ...(f.id.trim() ? { id: f.id.trim() } : {}),
      provider: f.provider.trim(),
      model_pattern: f.model_pattern.trim(),
      match: f.match,
      effective_from: f.effective_from.trim(),
      ...(f.effective_to.trim() ? { effective_to: f.effective_to.trim() } : {}),
      ...(f.org.trim() ? { org: f.org.trim() } : {}),
      prices: prices as PriceRates,
      ...(f.notes.trim() ? { notes: f.notes.trim() } : {}),
    },
  };
}

export interface RepriceValues {
  from: string;
  to: string;
  reason: string;
}

export function validateReprice(
  r: RepriceValues
): { ok: true } | { ok: false; errors: Partial<Record<keyof RepriceValues, string>> } {
  const errors: Partial<Record<keyof RepriceValues, string>> = {};
  if (!DATE.test(r.from.trim())) {
    errors.from = 'A date (YYYY-MM-DD) or an RFC 3339 date-time';
  }
  if (!DATE.test(r.to.trim())) {
    errors.to = 'A date (YYYY-MM-DD) or an RFC 3339 date-time';
  } else if (!errors.from && Date.parse(r.to.trim()) <= Date.parse(r.from.trim())) {
    errors.to = 'Must be after "from"';
  }
  if (!r.reason.trim()) {
    errors.reason = 'Say why: re-pricing is audited';
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true };
}
