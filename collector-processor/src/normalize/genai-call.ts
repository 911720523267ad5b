/**
 * Turns one span into a GenAI call in our conventions: provider, operation,
 * models, disjoint token counts (input excludes cache reads/writes, output
 * excludes reasoning), attribution and outcome. Returns undefined for spans
 * that are not model calls.
 */
import type { Attribution, PromptFingerprint, TokenUsage } from '@tokenmeter/instrumentation/protocol';
import type { Outcome } from '@tokenmeter/instrumentation/semconv';
import {
  CACHE_READ_KEYS,
  CACHE_WRITE_1H_KEYS,
  CACHE_WRITE_KEYS,
  DEPARTMENT_KEYS,
  ERROR_TYPE_KEYS,
  FEATURE_KEYS,
  INPUT_KEYS,
  INVESTIGATION_KEYS,
  NON_CALL_OPERATIONS,
  OLD_CACHE_KEYS,
  OPERATION_KEYS,
  ORG_KEYS,
  OUTPUT_KEYS,
  PROVIDER_ALIASES,
  PROVIDER_KEYS,
  REASONING_KEYS,
  REQUEST_MODEL_KEYS,
  RESPONSE_MODEL_KEYS,
  SERVICE_TIER_KEYS,
  SESSION_KEYS,
  USER_KEYS,
} from './attribute-names.js';
import type { Attrs } from './model.js';
import { fingerprintOf } from './prompt-fingerprint.js';

export interface GenAiCall {
  /** The span id (hex): the ledger record's id, so a replayed span dedups. */
  id: string;
  startMs: number;
  durationMs: number;
  provider: string;
  operation: string;
  requestModel: string | undefined;
  responseModel: string | undefined;
  serviceTier: string | undefined;
  tokens: TokenUsage;
  cacheWrite1hTokens: number;
  attribution: Attribution;
  outcome: Outcome;
  errorType: string | undefined;
  /** The prompt fingerprint our SDK's spans carry (`tokenmeter.prompt.*`), when well-formed. */
  fingerprint?: PromptFingerprint;
}

/** What the normaliser needs to know about where a span came from. */
export interface SpanSource {
  scopeName: string;
  resource: Attrs;
}

export function firstString(attrs: Attrs, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const v = attrs[key];
    if (v !== undefined && v !== '') return typeof v === 'string' ? v : String(v);
  }
  return undefined;
}

/**
 * The first count present. A number that is no count (negative, fractional,
 * beyond 2⁵³) is returned as it is, so that the call is refused as
 * implausible instead of being counted as if the attribute were absent.
 */
function firstCount(attrs: Attrs, keys: readonly string[]): { value: number; key: string } | undefined {
  for (const key of keys) {
    const v = attrs[key];
    if (v === undefined) continue;
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(v.trim()) ? Number(v) : NaN;
    if (!Number.isNaN(n)) return { value: n, key };
  }
  return undefined;
}

/** Normalises a provider value (`OpenAI`, `az.ai.openai`, …) to the semconv name. */
export function normaliseProvider(raw: string): string {
  const lower = raw.trim().toLowerCase();
  return PROVIDER_ALIASES[lower] ?? lower;
}

/**
 * Whether this source's input count includes cache reads/writes. Semconv says
 * it does (the Anthropic SDK's own tracing follows it); OpenLLMetry's and
 * OpenLIT's Anthropic instrumentations copy Anthropic's raw `input_tokens`,
 * which excludes them.
 */
function inputIncludesCache(source: SpanSource, provider: string, cacheKey: string | undefined): boolean {
  if (provider !== 'anthropic') return true;
  const scope = source.scopeName.toLowerCase();
  if (scope.includes('traceloop') || scope.includes('openlit') || scope.includes('openllmetry')) return false;
  if (cacheKey !== undefined && OLD_CACHE_KEYS.has(cacheKey)) return false;
  return true;
}

export function spanToCall(span: { spanId: string; startMs: number; endMs: number; attrs: Attrs; statusCode: number }, source: SpanSource): GenAiCall | undefined {
  const a = span.attrs;
  const rawProvider = firstString(a, PROVIDER_KEYS);
  if (rawProvider === undefined) return undefined;
  const explicitOperation = firstString(a, OPERATION_KEYS);
  const operation = explicitOperation?.toLowerCase() ?? 'chat';
  if (NON_CALL_OPERATIONS.has(operation)) return undefined;

  const input = firstCount(a, INPUT_KEYS);
  const output = firstCount(a, OUTPUT_KEYS);
  // A span with neither usage nor an operation name is not a model call (e.g. `count_tokens`).
  if (input === undefined && output === undefined && explicitOperation === undefined) return undefined;

  const provider = normaliseProvider(rawProvider);
  const cacheRead = firstCount(a, CACHE_READ_KEYS);
  const cacheWrite = firstCount(a, CACHE_WRITE_KEYS);
  const reasoning = firstCount(a, REASONING_KEYS);
  const cr = cacheRead?.value ?? 0;
  const cw = cacheWrite?.value ?? 0;
  let inTokens = input?.value ?? 0;
  if (inputIncludesCache(source, provider, cacheRead?.key ?? cacheWrite?.key) && inTokens >= cr + cw) inTokens -= cr + cw;
  const rs = reasoning?.value ?? 0;
  let outTokens = output?.value ?? 0;
  outTokens = outTokens >= rs ? outTokens - rs : outTokens;

  const errorType = firstString(a, ERROR_TYPE_KEYS) ?? (span.statusCode === 2 ? '_OTHER' : undefined);
  const attribution: Attribution = {};
  const r = source.resource;
  const set = (key: keyof Attribution, keys: readonly string[]): void => {
    const v = firstString(a, keys) ?? firstString(r, keys);
    if (v !== undefined) attribution[key] = v;
  };
  set('org', ORG_KEYS);
  set('department', DEPARTMENT_KEYS);
  set('user', USER_KEYS);
  set('feature', FEATURE_KEYS);
  set('investigation', INVESTIGATION_KEYS);
  set('session', SESSION_KEYS);

  const w1h = firstCount(a, CACHE_WRITE_1H_KEYS)?.value ?? 0;
  const write1h = Number.isSafeInteger(w1h) && w1h > 0 ? w1h : 0; // a pricing detail only: a bad value is ignored
  const fingerprint = fingerprintOf(a);
  return {
    id: span.spanId,
    startMs: span.startMs,
    durationMs: Math.max(0, span.endMs - span.startMs),
    provider,
    operation,
    requestModel: firstString(a, REQUEST_MODEL_KEYS),
    responseModel: firstString(a, RESPONSE_MODEL_KEYS),
    serviceTier: firstString(a, SERVICE_TIER_KEYS),
    tokens: { input: inTokens, output: outTokens, cache_read: cr, cache_write: cw, reasoning: rs },
    cacheWrite1hTokens: Math.min(write1h, cw),
    attribution,
    outcome: errorType === undefined ? 'ok' : 'error',
    errorType,
    ...(fingerprint !== undefined ? { fingerprint } : {}),
  };
}
