/**
 * The ledger aggregates the detectors read: one GROUP BY each over the
 * evidence window (the time index bounds every scan to the window).
 */
import { num, str } from '../../store/rows.js';
import { MODEL_EXPR, sliceWhere, type LedgerSlice, type ReadQuery } from '../ledger-sql.js';
import type { TokenSums } from './rates.js';
import type { DuplicateStats, HourStats, PrefixStats, SubjectKey, SubjectStats, TruncationStats } from './types.js';

const SUBJECT = `org, feature, service, provider, ${MODEL_EXPR}`;
const TRUNCATED = `finish_reason IN ('length', 'max_tokens')`;
const TOOL_CALL = `finish_reason IN ('tool_calls', 'tool_use', 'function_call')`;
/** Smallest prefix any provider caches (cache-rules.ts): shorter prefixes are never read. */
const MIN_PREFIX_TOKENS = 1024;

function subjectOf(r: Record<string, unknown>): SubjectKey {
  return { org: str(r.org), feature: str(r.feature), service: str(r.service), provider: String(r.provider), model: String(r.model) };
}

function sums(r: Record<string, unknown>, prefix = ''): TokenSums {
  return {
    input: num(r[`${prefix}input`]), output: num(r[`${prefix}output`]), cache_read: num(r[`${prefix}cache_read`]),
    cache_write: num(r[`${prefix}cache_write`]), reasoning: num(r[`${prefix}reasoning`]),
  };
}

function sumCols(cond?: string, prefix = ''): string {
  const col = (c: string): string => (cond === undefined ? `SUM(${c})` : `SUM(CASE WHEN ${cond} THEN ${c} ELSE 0 END)`);
  return ['input', 'output', 'cache_read', 'cache_write', 'reasoning'].map((c) => `${col(c)} AS ${prefix}${c}`).join(', ');
}

export async function subjectStats(q: ReadQuery, slice: LedgerSlice): Promise<SubjectStats[]> {
  const w = sliceWhere(slice);
  const rows = await q(`SELECT org, feature, service, provider, ${MODEL_EXPR} AS model, COUNT(*) AS requests, ${sumCols()},
      SUM(CASE WHEN finish_reason IS NOT NULL THEN 1 ELSE 0 END) AS with_finish,
      SUM(CASE WHEN ${TOOL_CALL} THEN 1 ELSE 0 END) AS tool_calls,
      SUM(CASE WHEN outcome = 'error' THEN 1 ELSE 0 END) AS errors, ${sumCols("outcome = 'error'", 'e_')}
    FROM records${w.sql} AND ${MODEL_EXPR} IS NOT NULL AND outcome <> 'blocked'
    GROUP BY ${SUBJECT}`, w.params);
  const errorTypes = await q(`SELECT org, feature, service, provider, ${MODEL_EXPR} AS model, error_type, COUNT(*) AS n
    FROM records${w.sql} AND outcome = 'error' AND error_type IS NOT NULL AND ${MODEL_EXPR} IS NOT NULL
    GROUP BY ${SUBJECT}, error_type`, w.params);
  const top = new Map<string, { type: string; n: number }>();
  for (const r of errorTypes) {
    const k = JSON.stringify(subjectOf(r));
    const n = num(r.n);
    const type = String(r.error_type);
    const cur = top.get(k);
    if (!cur || n > cur.n || (n === cur.n && type < cur.type)) top.set(k, { type, n });
  }
  return rows.map((r) => {
    const key = subjectOf(r);
    return {
      ...key, ...sums(r), requests: num(r.requests), withFinish: num(r.with_finish), toolCalls: num(r.tool_calls),
      errors: num(r.errors), errorTokens: sums(r, 'e_'), topErrorType: top.get(JSON.stringify(key))?.type ?? null,
    };
  });
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

/** Repeats of the same request the same UTC day; each repeat's tokens ≈ its group's tokens × (n − 1) / n. */
export async function duplicateStats(q: ReadQuery, slice: LedgerSlice): Promise<DuplicateStats[]> {
  const w = sliceWhere(slice);
  const rows = await q(`SELECT org, feature, service, provider, model, SUM(n - 1) AS duplicates, COUNT(*) AS repeated,
      SUM(i - i / n) AS input, SUM(o - o / n) AS output, SUM(cr - cr / n) AS cache_read, SUM(cw - cw / n) AS cache_write, SUM(rs - rs / n) AS reasoning
    FROM (SELECT org, feature, service, provider, ${MODEL_EXPR} AS model, COUNT(*) AS n, CAST(SUM(input) AS BIGINT) AS i,
        CAST(SUM(output) AS BIGINT) AS o, CAST(SUM(cache_read) AS BIGINT) AS cr, CAST(SUM(cache_write) AS BIGINT) AS cw,
        CAST(SUM(reasoning) AS BIGINT) AS rs
      FROM records${w.sql} AND request_hash IS NOT NULL AND ${MODEL_EXPR} IS NOT NULL AND outcome <> 'blocked'
      GROUP BY ${SUBJECT}, request_hash, time_ms / 86400000 HAVING COUNT(*) > 1) repeats
    GROUP BY org, feature, service, provider, model`, w.params);
  return rows.map((r) => ({ ...subjectOf(r), duplicates: num(r.duplicates), repeatedRequests: num(r.repeated), tokens: sums(r) }));
}

/**
 * Truncated answers and their retries: per prefix and 5-minute bucket, of `t`
 * truncated calls among `n`, `min(t, n − 1)` were followed by another call
 * with the same prefix (a retry); their share of the truncated calls' tokens
 * was paid for nothing.
 */
export async function truncationStats(q: ReadQuery, slice: LedgerSlice): Promise<TruncationStats[]> {
  const w = sliceWhere(slice);
  const rows = await q(`SELECT org, feature, service, provider, ${MODEL_EXPR} AS model, COUNT(*) AS n,
      SUM(CASE WHEN ${TRUNCATED} THEN 1 ELSE 0 END) AS t, ${sumCols(TRUNCATED, 't_')},
      SUM(CASE WHEN ${TRUNCATED} AND max_output_tokens IS NOT NULL THEN max_output_tokens ELSE 0 END) AS cap_sum,
      SUM(CASE WHEN ${TRUNCATED} AND max_output_tokens IS NOT NULL THEN 1 ELSE 0 END) AS cap_n
    FROM records${w.sql} AND prefix_hash IS NOT NULL AND ${MODEL_EXPR} IS NOT NULL AND outcome <> 'blocked'
    GROUP BY ${SUBJECT}, prefix_hash, time_ms / 300000 HAVING SUM(CASE WHEN ${TRUNCATED} THEN 1 ELSE 0 END) > 0`, w.params);
  const acc = new Map<string, TruncationStats & { capSum: number; capN: number }>();
  for (const r of rows) {
    const key = subjectOf(r);
    const k = JSON.stringify(key);
    let a = acc.get(k);
    if (!a) acc.set(k, (a = { ...key, truncated: 0, wasted: 0, tokens: { input: 0, output: 0, cache_read: 0, cache_write: 0, reasoning: 0 }, meanMaxOutputTokens: null, capSum: 0, capN: 0 }));
    const n = num(r.n);
    const t = num(r.t);
    const wasted = Math.min(t, n - 1);
    a.truncated += t;
    a.wasted += wasted;
    const tok = sums(r, 't_');
    for (const type of ['input', 'output', 'cache_read', 'cache_write', 'reasoning'] as const) a.tokens[type] += Math.floor((tok[type] * wasted) / t);
    a.capSum += num(r.cap_sum);
    a.capN += num(r.cap_n);
  }
  return [...acc.values()].map(({ capSum, capN, ...s }) => ({ ...s, meanMaxOutputTokens: capN === 0 ? null : capSum / capN }));
}

/** Traffic by UTC hour of day: non-interactive traffic (no user, not streamed), and all traffic of features marked batchable. */
export async function hourStats(q: ReadQuery, slice: LedgerSlice, batchable: readonly string[]): Promise<HourStats[]> {
  const w = sliceWhere(slice);
  const quiet = 'user_id IS NULL AND (stream IS NULL OR stream = 0)';
  const interactive = `CASE WHEN ${quiet} THEN 0 ELSE 1 END`;
  const marked = batchable.length === 0 ? '' : ` OR feature IN (${batchable.map(() => '?').join(', ')})`;
  const rows = await q(`SELECT org, feature, service, provider, ${MODEL_EXPR} AS model, (time_ms / 3600000) % 24 AS hour_utc,
      ${interactive} AS interactive, COUNT(*) AS requests, ${sumCols()}
    FROM records${w.sql} AND ${MODEL_EXPR} IS NOT NULL AND outcome <> 'blocked' AND (service_tier IS NULL OR service_tier <> 'batch')
      AND ((${quiet})${marked})
    GROUP BY ${SUBJECT}, (time_ms / 3600000) % 24, ${interactive}`, [...w.params, ...batchable]);
  return rows.map((r) => ({ ...subjectOf(r), ...sums(r), hourUtc: num(r.hour_utc), interactive: num(r.interactive) === 1, requests: num(r.requests) }));
}

