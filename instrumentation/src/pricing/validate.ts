/**
 * Validation of price entries, shared by the catalog (which refuses invalid
 * entries) and the control plane (which checks admin prices before storing
 * them). Each problem names its field; the messages are pinned by tests.
 */
import { compileModelPattern } from './model-pattern.js';
import { parsePricePerMillion } from './money.js';
import { SERVICE_TIERS } from './types.js';

const ENTRY_KEYS = new Set([
  'id', 'provider', 'model_pattern', 'match', 'effective_from', 'effective_to', 'org', 'source',
  'currency', 'prices', 'tiers', 'source_url', 'as_of', 'notes',
]);
/** Price keys of `prices` and of each tier's `prices`. */
export const PRICE_KEYS = ['input', 'output', 'cache_read', 'cache_write', 'cache_write_1h', 'reasoning'] as const;
const PRICE_KEY_SET: ReadonlySet<string> = new Set(PRICE_KEYS);
const TIER_KEYS = new Set(['name', 'when', 'prices']);
const WHEN_KEYS = new Set(['min_input_tokens', 'service_tier']);
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i;

/** Epoch milliseconds of an RFC 3339 date (midnight UTC) or date-time with a zone; `undefined` if not one. */
export function parseInstant(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const date = DATE.test(value) ? value : DATE_TIME.exec(value)?.[1];
  if (date === undefined || !isCalendarDate(date)) return undefined;
  const ms = Date.parse(DATE.test(value) ? `${value}T00:00:00Z` : value);
  return Number.isNaN(ms) ? undefined : ms;
}

function isCalendarDate(date: string): boolean {
  const d = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === date;
}

/**
 * Every problem of a price entry, as `field: message` strings; empty when valid.
 * Accepts any value (HTTP input) and never throws.
 */
export function validatePriceEntry(value: unknown): string[] {
  return entryProblems(value, true);
}

/** `validatePriceEntry`, or with `checkPatterns` false all but compiling a regex pattern (the bundled list's: its tests compile them). */
export function entryProblems(value: unknown, checkPatterns: boolean): string[] {
  const problems: string[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['entry: must be an object'];
  const e = value as Record<string, unknown>;
  for (const key of Object.keys(e)) if (!ENTRY_KEYS.has(key)) problems.push(`${key}: unknown field`);

  requireString(e, 'id', problems);
  requireString(e, 'provider', problems);
  requireString(e, 'model_pattern', problems);
  if (e.match !== 'exact' && e.match !== 'regex') problems.push('match: must be "exact" or "regex"');
  else if (checkPatterns && e.match === 'regex' && typeof e.model_pattern === 'string' && e.model_pattern !== '') {
    try {
      compileModelPattern(e.model_pattern);
    } catch (error) {
      problems.push(`model_pattern: invalid regular expression (${(error as Error).message})`);
    }
  }
  if (e.source !== 'bundled' && e.source !== 'admin') problems.push('source: must be "bundled" or "admin"');
  if (e.currency !== 'USD') problems.push('currency: must be "USD"');

  const from = parseInstant(e.effective_from);
  if (from === undefined) problems.push('effective_from: must be an RFC 3339 date (YYYY-MM-DD) or date-time with a time zone');
  if (e.effective_to !== undefined) {
    const to = parseInstant(e.effective_to);
    if (to === undefined) problems.push('effective_to: must be an RFC 3339 date (YYYY-MM-DD) or date-time with a time zone');
    else if (from !== undefined && to <= from) problems.push('effective_to: must be after effective_from');
  }
  if (e.org !== undefined) {
    if (typeof e.org !== 'string' || e.org.trim() === '') problems.push('org: must be a non-empty string when present');
    else if (e.source === 'bundled') problems.push('org: bundled entries cannot override an organisation');
  }

  validateRates(e.prices, 'prices', problems);
  if (e.tiers !== undefined) validateTiers(e.tiers, problems);

  if (e.source_url !== undefined && (typeof e.source_url !== 'string' || !/^https?:\/\/\S+$/.test(e.source_url))) {
    problems.push('source_url: must be an http(s) URL');
  }
  if (e.as_of !== undefined && (typeof e.as_of !== 'string' || !DATE.test(e.as_of) || !isCalendarDate(e.as_of))) {
    problems.push('as_of: must be a date YYYY-MM-DD');
  }
  if (e.source === 'bundled') {
    if (e.source_url === undefined) problems.push('source_url: required on bundled entries');
    if (e.as_of === undefined) problems.push('as_of: required on bundled entries');
  }
  if (e.notes !== undefined && typeof e.notes !== 'string') problems.push('notes: must be a string');
  return problems;
}

function requireString(e: Record<string, unknown>, key: string, problems: string[]): void {
  const v = e[key];
  if (typeof v !== 'string' || v.trim() === '') problems.push(`${key}: required non-empty string`);
}

function validateRates(value: unknown, path: string, problems: string[]): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`${path}: must be an object with at least input and output`);
    return;
  }
  const rates = value as Record<string, unknown>;
  for (const key of Object.keys(rates)) {
    if (!PRICE_KEY_SET.has(key)) problems.push(`${path}.${key}: unknown price (allowed: ${PRICE_KEYS.join(', ')})`);
  }
  for (const key of PRICE_KEYS) {
    const v = rates[key];
    if (v === undefined) {
      if (key === 'input' || key === 'output') problems.push(`${path}.${key}: required`);
      continue;
    }
    if (typeof v !== 'string') {
      problems.push(`${path}.${key}: must be a decimal string such as "2.50"`);
      continue;
    }
    try {
      parsePricePerMillion(v);
    } catch (error) {
      problems.push(`${path}.${key}: ${(error as Error).message}`);
    }
  }
}

function validateTiers(value: unknown, problems: string[]): void {
  if (!Array.isArray(value)) {
    problems.push('tiers: must be an array');
    return;
  }
  const names = new Set<string>();
  const conditions = new Map<string, number>();
  value.forEach((tier: unknown, i) => {
    const path = `tiers[${i}]`;
    if (typeof tier !== 'object' || tier === null || Array.isArray(tier)) {
      problems.push(`${path}: must be an object`);
      return;
    }
    const t = tier as Record<string, unknown>;
    for (const key of Object.keys(t)) if (!TIER_KEYS.has(key)) problems.push(`${path}.${key}: unknown field`);
    if (typeof t.name !== 'string' || t.name.trim() === '') problems.push(`${path}.name: required non-empty string`);
    else if (names.has(t.name)) problems.push(`${path}.name: duplicate tier name "${t.name}"`);
    else names.add(t.name);
    validateCondition(t.when, `${path}.when`, problems, conditions, i);
    validateRates(t.prices, `${path}.prices`, problems);
  });
}

function validateCondition(value: unknown, path: string, problems: string[], seen: Map<string, number>, index: number): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`${path}: must be an object with min_input_tokens and/or service_tier`);
    return;
  }
  const w = value as Record<string, unknown>;
  for (const key of Object.keys(w)) if (!WHEN_KEYS.has(key)) problems.push(`${path}.${key}: unknown condition`);
  if (w.min_input_tokens === undefined && w.service_tier === undefined) {
    problems.push(`${path}: needs min_input_tokens and/or service_tier`);
    return;
  }
  if (w.min_input_tokens !== undefined && !(Number.isSafeInteger(w.min_input_tokens) && (w.min_input_tokens as number) > 0)) {
    problems.push(`${path}.min_input_tokens: must be a positive integer`);
  }
  if (w.service_tier !== undefined && !(SERVICE_TIERS as readonly unknown[]).includes(w.service_tier)) {
    problems.push(`${path}.service_tier: must be one of ${SERVICE_TIERS.join(', ')}`);
  }
  const key = `${String(w.min_input_tokens)}|${String(w.service_tier)}`;
  const previous = seen.get(key);
  if (previous !== undefined) problems.push(`${path}: same condition as tiers[${previous}]`);
  else seen.set(key, index);
}
