/**
 * The ledger aggregates the detectors read: four GROUP BYs over the evidence
 * window (the time index bounds every scan to the window).
 */
import { num, str } from '../../store/rows.js';
import { MODEL_EXPR, attributeSql, sliceWhere, type LedgerSlice, type ReadQuery } from '../ledger-sql.js';
import type { TokenSums } from './rates.js';
import type { DuplicateStats, HourStats, PrefixStats, SubjectKey, SubjectStats, TruncationStats } from './types.js';

const SUBJECT = `org, feature, service, provider, ${MODEL_EXPR}`;
const TRUNCATED = `finish_reason IN ('length', 'max_tokens')`;
const TOOL_CALL = `finish_reason IN ('tool_calls', 'tool_use', 'function_call')`;
/** Smallest prefix any provider caches (cache-rules.ts): shorter prefixes are never read. */
const MIN_PREFIX_TOKENS = 1024;
const TOKEN_TYPES = ['input', 'output', 'cache_read', 'cache_write', 'reasoning'] as const;

function subjectOf(r: Record<string, unknown>): SubjectKey {
  return { org: str(r.org), feature: str(r.feature), service: str(r.service), provider: String(r.provider), model: String(r.model) };
}

function sums(r: Record<string, unknown>, prefix = ''): TokenSums {
  return {
    input: num(r[`${prefix}input`]), output: num(r[`${prefix}output`]), cache_read: num(r[`${prefix}cache_read`]),
    cache_write: num(r[`${prefix}cache_write`]), reasoning: num(r[`${prefix}reasoning`]),
  };
}

function sumCols(cond?: string, prefix = '', alias = ''): string {
  const col = (c: string): string => (cond === undefined ? `SUM(${alias}${c})` : `SUM(CASE WHEN ${cond} THEN ${alias}${c} ELSE 0 END)`);
  return ['input', 'output', 'cache_read', 'cache_write', 'reasoning'].map((c) => `${col(c)} AS ${prefix}${c}`).join(', ');
}

/**
 * One pass for the per-subject figures and the hours of day: grouped by
 * subject, error type (of failed calls), UTC hour of day (only for traffic
 * the batching detector looks at: quiet calls — no user, not streamed — and
 * every call of a batchable feature, not already on the batch tier; -1
 * otherwise) and quietness. Keys are selected by position, so the batchable
 * list is bound once.
 */
export async function trafficStats(q: ReadQuery, slice: LedgerSlice, batchable: readonly string[]): Promise<{ subjects: SubjectStats[]; hours: HourStats[] }> {
  const w = sliceWhere(slice);
  const quiet = 'user_id IS NULL AND (stream IS NULL OR stream = 0)';
  const marked = batchable.length === 0 ? '' : ` OR feature IN (${batchable.map(() => '?').join(', ')})`;
  const rows = await q(`SELECT org, feature, service, provider, ${MODEL_EXPR} AS model,
      CASE WHEN outcome = 'error' THEN error_type ELSE NULL END AS error_type,
      CASE WHEN ((${quiet})${marked}) AND (service_tier IS NULL OR service_tier <> 'batch') THEN (time_ms / 3600000) % 24 ELSE -1 END AS hour_utc,
      CASE WHEN ${quiet} THEN 0 ELSE 1 END AS interactive,
      COUNT(*) AS requests, ${sumCols()},
      SUM(CASE WHEN finish_reason IS NOT NULL THEN 1 ELSE 0 END) AS with_finish,
      SUM(CASE WHEN ${TOOL_CALL} THEN 1 ELSE 0 END) AS tool_calls,
      SUM(CASE WHEN outcome = 'error' THEN 1 ELSE 0 END) AS errors, ${sumCols("outcome = 'error'", 'e_')}
    FROM records${w.sql} AND ${MODEL_EXPR} IS NOT NULL AND outcome <> 'blocked'
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`, [...batchable, ...w.params], { preferHash: true });
  const subjects = new Map<string, SubjectStats & { errorCounts: Map<string, number> }>();
  const hours = new Map<string, HourStats>();
  for (const r of rows) {
    const key = subjectOf(r);
    const k = JSON.stringify(key);
    let s = subjects.get(k);
    if (!s) {
      const zero = { input: 0, output: 0, cache_read: 0, cache_write: 0, reasoning: 0 };
      subjects.set(k, (s = { ...key, ...zero, requests: 0, withFinish: 0, toolCalls: 0, errors: 0, errorTokens: { ...zero }, topErrorType: null, errorCounts: new Map() }));
    }
    const t = sums(r);
    const e = sums(r, 'e_');
    for (const type of TOKEN_TYPES) {
      s[type] += t[type];
      s.errorTokens[type] += e[type];
    }
    s.requests += num(r.requests);
    s.withFinish += num(r.with_finish);
    s.toolCalls += num(r.tool_calls);
    s.errors += num(r.errors);
    const errorType = str(r.error_type);
    if (errorType !== null) s.errorCounts.set(errorType, (s.errorCounts.get(errorType) ?? 0) + num(r.errors));
    const hour = num(r.hour_utc);
    if (hour >= 0) {
      const interactive = num(r.interactive) === 1;
      const hk = `${k}\u0000${hour}\u0000${interactive}`;
      let h = hours.get(hk);
      if (!h) hours.set(hk, (h = { ...key, input: 0, output: 0, cache_read: 0, cache_write: 0, reasoning: 0, hourUtc: hour, interactive, requests: 0 }));
      for (const type of TOKEN_TYPES) h[type] += t[type];
      h.requests += num(r.requests);
    }
  }
  const out: SubjectStats[] = [];
  for (const { errorCounts, ...s } of subjects.values()) {
    let top: [string, number] | undefined;
    for (const [type, n] of errorCounts) if (!top || n > top[1] || (n === top[1] && type < top[0])) top = [type, n];
    out.push({ ...s, topErrorType: top ? top[0] : null });
  }
  return { subjects: out, hours: [...hours.values()] };
}

export async function prefixStats(q: ReadQuery, slice: LedgerSlice): Promise<PrefixStats[]> {
  const w = sliceWhere(slice);
  const rows = await q(`SELECT org, feature, service, provider, ${MODEL_EXPR} AS model, prefix_hash, COUNT(*) AS requests,
      COUNT(DISTINCT time_ms / 300000) AS w5, COUNT(DISTINCT time_ms / 3600000) AS w60, SUM(prefix_tokens) AS prefix_tokens,
      SUM(input) AS input, SUM(cache_read) AS cache_read, SUM(cache_write) AS cache_write
    FROM records${w.sql} AND prefix_hash IS NOT NULL AND prefix_tokens >= ${MIN_PREFIX_TOKENS} AND ${MODEL_EXPR} IS NOT NULL AND outcome <> 'blocked'
    GROUP BY ${SUBJECT}, prefix_hash HAVING COUNT(*) >= 2`, w.params);
  return rows.map((r) => ({
    ...subjectOf(r), prefixHash: String(r.prefix_hash), requests: num(r.requests), windows5m: num(r.w5), windows1h: num(r.w60),
    prefixTokens: num(r.prefix_tokens), input: num(r.input), cacheRead: num(r.cache_read), cacheWrite: num(r.cache_write),
  }));
}

/**
 * Repeats of the same request the same UTC day; each repeat's tokens ≈ its
 * group's tokens × (n − 1) / n. The request hash covers model and parameters,
 * so a repeated request belongs to one subject (the smallest, should two
 * features send the very same request).
 */
export async function duplicateStats(q: ReadQuery, slice: LedgerSlice): Promise<DuplicateStats[]> {
  const w = sliceWhere(slice);
  const rows = await q(`SELECT org, feature, service, provider, model, SUM(n - 1) AS duplicates, COUNT(*) AS repeated,
      SUM(i - i / n) AS input, SUM(o - o / n) AS output, SUM(cr - cr / n) AS cache_read, SUM(cw - cw / n) AS cache_write, SUM(rs - rs / n) AS reasoning
    FROM (SELECT MIN(org) AS org, MIN(feature) AS feature, MIN(service) AS service, MIN(provider) AS provider, MIN(${MODEL_EXPR}) AS model,
        COUNT(*) AS n, CAST(SUM(input) AS BIGINT) AS i, CAST(SUM(output) AS BIGINT) AS o, CAST(SUM(cache_read) AS BIGINT) AS cr,
        CAST(SUM(cache_write) AS BIGINT) AS cw, CAST(SUM(reasoning) AS BIGINT) AS rs
      FROM records${w.sql} AND request_hash IS NOT NULL AND ${MODEL_EXPR} IS NOT NULL AND outcome <> 'blocked'
      GROUP BY request_hash, time_ms / 86400000 HAVING COUNT(*) > 1) repeats
    GROUP BY org, feature, service, provider, model`, w.params, { preferHash: true });
  return rows.map((r) => ({ ...subjectOf(r), duplicates: num(r.duplicates), repeatedRequests: num(r.repeated), tokens: sums(r) }));
}

/**
 * Truncated answers and their retries: per prefix and 5-minute bucket, of `t`
 * truncated calls among `n`, `min(t, n − 1)` were followed by another call
 * with the same prefix (a retry); their share of the truncated calls' tokens
 * was paid for nothing. Only the buckets that hold a truncated call are read
 * (a join on the time index), not the whole window.
 */
export async function truncationStats(q: ReadQuery, slice: LedgerSlice): Promise<TruncationStats[]> {
  const inner = sliceWhere(slice);
  const outer = sliceWhere(slice, 'r.');
  const model = attributeSql('model', 'r.');
  const truncated = `r.${TRUNCATED}`;
  const rows = await q(`SELECT r.org AS org, r.feature AS feature, r.service AS service, r.provider AS provider, ${model} AS model, COUNT(*) AS n,
      SUM(CASE WHEN ${truncated} THEN 1 ELSE 0 END) AS t, ${sumCols(truncated, 't_', 'r.')},
      SUM(CASE WHEN ${truncated} AND r.max_output_tokens IS NOT NULL THEN r.max_output_tokens ELSE 0 END) AS cap_sum,
      SUM(CASE WHEN ${truncated} AND r.max_output_tokens IS NOT NULL THEN 1 ELSE 0 END) AS cap_n
    FROM (SELECT DISTINCT prefix_hash AS ph, time_ms / 300000 AS b FROM records${inner.sql}
        AND ${TRUNCATED} AND prefix_hash IS NOT NULL AND outcome <> 'blocked') tb
      JOIN records r ON r.time_ms >= tb.b * 300000 AND r.time_ms < tb.b * 300000 + 300000 AND r.prefix_hash = tb.ph AND r.time_ms / 300000 = tb.b
    ${outer.sql} AND ${model} IS NOT NULL AND r.outcome <> 'blocked'
    GROUP BY r.org, r.feature, r.service, r.provider, ${model}, tb.ph, tb.b
    HAVING SUM(CASE WHEN ${truncated} THEN 1 ELSE 0 END) > 0`, [...inner.params, ...outer.params]);
  const acc = new Map<string, TruncationStats & { capSum: number; capN: number }>();
  for (const r of rows) {
    const key = subjectOf(r);
    const k = JSON.stringify(key);
    let a = acc.get(k);
    if (!a) acc.set(k, (a = { ...key, truncated: 0, wasted: 0, tokens: { input: 0, output: 0, cache_read: 0, cache_write: 0, reasoning: 0 }, meanMaxOutputTokens: null, capSum: 0, capN: 0 }));
    const n = num(r.n);
    const t = num(r.t);
    if (t === 0) continue; // another subject's truncation in a bucket this subject shares a prefix with
    const wasted = Math.min(t, n - 1);
    a.truncated += t;
    a.wasted += wasted;
    const tok = sums(r, 't_');
    for (const type of TOKEN_TYPES) a.tokens[type] += Math.floor((tok[type] * wasted) / t);
    a.capSum += num(r.cap_sum);
    a.capN += num(r.cap_n);
  }
  return [...acc.values()].map(({ capSum, capN, ...s }) => ({ ...s, meanMaxOutputTokens: capN === 0 ? null : capSum / capN }));
}
