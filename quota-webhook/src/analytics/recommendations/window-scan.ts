/**
 * The detectors' four ledger aggregates (queries.ts) from one pass over the
 * evidence window, for SQLite. There the four GROUP BYs cost mostly their
 * sorts (SQLite aggregates by sorting; the window's rows are read in a
 * fraction of that), and a row handed to JavaScript costs more than reading
 * it: so the window is read once, each page of rows as one JSON array
 * (`json_group_array`, one value per page instead of a value per column and
 * row), and grouped in maps. Memory is bounded by a page and the groups:
 * rows arrive in time order, so the duplicate groups (request, day) and the
 * truncation groups (prefix, 5-minute bucket) are kept for the current day
 * and bucket only, and distinct buckets are counted as bucket changes.
 *
 * The answers are the queries' to the unit (test/analytics2/window-scan.test.ts
 * compares them): the same filters, integer truncation where SQL divides,
 * MIN over text as SQLite's BINARY collation orders it (code point order),
 * repeated prefixes in the GROUP BY's order.
 */
import { num } from '../../store/rows.js';
import { MODEL_EXPR, sliceWhere, type LedgerSlice, type ReadQuery } from '../ledger-sql.js';
import type { TokenSums } from './rates.js';
import type { DetectorAggregates, DuplicateStats, HourStats, PrefixStats, SubjectKey, SubjectStats, TruncationStats } from './types.js';

/** Rows per page: a page's JSON is about 200 bytes a row. */
export const SCAN_PAGE_ROWS = 20_000;
/** Smallest prefix any provider caches (cache-rules.ts), as in queries.ts. */
const MIN_PREFIX_TOKENS = 1024;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const BUCKET_MS = 300_000;

/** The columns of a row, in the order of its JSON array (`Row`). */
const COLUMNS = [
  'org', 'feature', 'service', 'provider', MODEL_EXPR, 'time_ms', 'input', 'output', 'cache_read', 'cache_write', 'reasoning',
  'outcome', 'error_type', 'user_id IS NULL AND (stream IS NULL OR stream = 0)', "service_tier IS NULL OR service_tier <> 'batch'",
  'finish_reason', 'prefix_hash', 'prefix_tokens', 'request_hash', 'max_output_tokens',
].join(', ');

type Text = string | null;
type Row = [
  org: Text, feature: Text, service: Text, provider: string, model: string, timeMs: number,
  input: number, output: number, cacheRead: number, cacheWrite: number, reasoning: number,
  outcome: string, errorType: Text, quiet: 0 | 1, notBatchTier: 0 | 1,
  finishReason: Text, prefixHash: Text, prefixTokens: number | null, requestHash: Text, maxOutputTokens: number | null,
];
const TOKEN_TYPES = ['input', 'output', 'cache_read', 'cache_write', 'reasoning'] as const;

const zero = (): TokenSums => ({ input: 0, output: 0, cache_read: 0, cache_write: 0, reasoning: 0 });

function addTokens(to: TokenSums, r: Row): void {
  to.input += r[6];
  to.output += r[7];
  to.cache_read += r[8];
  to.cache_write += r[9];
  to.reasoning += r[10];
}

/** SQLite's BINARY order of two strings (UTF-8 bytes, i.e. code points; JavaScript's `<` compares UTF-16 units). */
export function binaryLess(a: string, b: string): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    // Surrogates (code points above U+FFFF) come after U+E000–U+FFFF.
    if (x !== y) return (x >= 0xd800 ? (x < 0xe000 ? x + 0x2000 : x - 0x800) : x) < (y >= 0xd800 ? (y < 0xe000 ? y + 0x2000 : y - 0x800) : y);
  }
  return a.length < b.length;
}

/** SQL `MIN` of text: NULL ignored. */
function minText(a: Text, b: Text): Text {
  if (a === null) return b;
  if (b === null) return a;
  return binaryLess(b, a) ? b : a;
}

/** GROUP BY order of nullable text: NULL first, then BINARY. */
function compareText(a: Text, b: Text): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return binaryLess(a, b) ? -1 : 1;
}

/** Subjects by value (nested maps: no key string to escape), each with a small integer id. */
class SubjectIndex {
  readonly keys: SubjectKey[] = [];
  private readonly _root = new Map<Text, Map<Text, Map<Text, Map<string, Map<string, number>>>>>();

  id(org: Text, feature: Text, service: Text, provider: string, model: string): number {
    let a = this._root.get(org);
    if (!a) this._root.set(org, (a = new Map()));
    let b = a.get(feature);
    if (!b) a.set(feature, (b = new Map()));
    let c = b.get(service);
    if (!c) b.set(service, (c = new Map()));
    let d = c.get(provider);
    if (!d) c.set(provider, (d = new Map()));
    let id = d.get(model);
    if (id === undefined) {
      d.set(model, (id = this.keys.length));
      this.keys.push({ org, feature, service, provider, model });
    }
    return id;
  }
}

interface SubjectAcc extends TokenSums {
  requests: number;
  withFinish: number;
  toolCalls: number;
  errors: number;
  errorTokens: TokenSums;
  errorCounts: Map<string, number>;
}

interface PrefixAcc {
  subject: number;
  prefixHash: string;
  requests: number;
  windows5m: number;
  windows1h: number;
  last5m: number;
  last1h: number;
  prefixTokens: number;
  input: number;
  cacheRead: number;
  cacheWrite: number;
}

/** One request hash on one day: `n` calls, the smallest of each subject column, their tokens. */
interface RepeatAcc {
  n: number;
  org: Text;
  feature: Text;
  service: Text;
  provider: string;
  model: string;
  tokens: TokenSums;
}

/** One subject's calls with one prefix in one 5-minute bucket. */
interface BucketAcc {
  subject: number;
  n: number;
  t: number;
  tokens: TokenSums;
  capSum: number;
  capN: number;
}

interface TruncationAcc {
  truncated: number;
  wasted: number;
  tokens: TokenSums;
  capSum: number;
  capN: number;
}

/** The four aggregates over `slice`, reading each record of the window once. */
export async function scanWindow(q: ReadQuery, slice: LedgerSlice, batchable: readonly string[], pageRows = SCAN_PAGE_ROWS): Promise<DetectorAggregates> {
  const marked = new Set(batchable);
  const subjects = new SubjectIndex();
  const traffic: SubjectAcc[] = [];
  const hours = new Map<number, HourStats>();
  const prefixes = new Map<string, PrefixAcc>();
  const dupSubjects = new SubjectIndex();
  const duplicates: DuplicateStats[] = [];
  const truncation = new Map<number, TruncationAcc>();

  let day = Number.NaN;
  let repeats = new Map<string, RepeatAcc>();
  const flushDay = (): void => {
    for (const g of repeats.values()) {
      if (g.n < 2) continue;
      const id = dupSubjects.id(g.org, g.feature, g.service, g.provider, g.model);
      let d = duplicates[id];
      if (!d) duplicates[id] = d = { ...dupSubjects.keys[id]!, duplicates: 0, repeatedRequests: 0, tokens: zero() };
      d.duplicates += g.n - 1;
      d.repeatedRequests += 1;
      for (const type of TOKEN_TYPES) d.tokens[type] += g.tokens[type] - Math.trunc(g.tokens[type] / g.n);
    }
    repeats = new Map();
  };

  let bucket = Number.NaN;
  let buckets = new Map<string, BucketAcc>();
  const flushBucket = (): void => {
    for (const g of buckets.values()) {
      if (g.t === 0) continue;
      let a = truncation.get(g.subject);
      if (!a) truncation.set(g.subject, (a = { truncated: 0, wasted: 0, tokens: zero(), capSum: 0, capN: 0 }));
      const wasted = Math.min(g.t, g.n - 1);
      a.truncated += g.t;
      a.wasted += wasted;
      for (const type of TOKEN_TYPES) a.tokens[type] += Math.floor((g.tokens[type] * wasted) / g.t);
      a.capSum += g.capSum;
      a.capN += g.capN;
    }
    buckets = new Map();
  };

  const add = (r: Row): void => {
    const [org, feature, service, provider, model, time, , , , , , outcome, errorType, quiet, notBatchTier, finish, prefixHash, prefixTokens, requestHash, maxOut] = r;
    const id = subjects.id(org, feature, service, provider, model);
    const isError = outcome === 'error';
    const truncated = finish === 'length' || finish === 'max_tokens';

    let s = traffic[id];
    if (!s) traffic[id] = s = { ...zero(), requests: 0, withFinish: 0, toolCalls: 0, errors: 0, errorTokens: zero(), errorCounts: new Map() };
    addTokens(s, r);
    s.requests++;
    if (finish !== null) s.withFinish++;
    if (finish === 'tool_calls' || finish === 'tool_use' || finish === 'function_call') s.toolCalls++;
    if (isError) {
      s.errors++;
      addTokens(s.errorTokens, r);
      if (errorType !== null) s.errorCounts.set(errorType, (s.errorCounts.get(errorType) ?? 0) + 1);
    }
    // Integer division and remainder as SQL's (truncating).
    if ((quiet === 1 || (feature !== null && marked.has(feature))) && notBatchTier === 1) {
      const hourUtc = Math.trunc(time / HOUR_MS) % 24;
      if (hourUtc >= 0) {
        const interactive = quiet === 0;
        const hk = id * 48 + hourUtc * 2 + quiet;
        let h = hours.get(hk);
        if (!h) hours.set(hk, (h = { ...subjects.keys[id]!, ...zero(), hourUtc, interactive, requests: 0 }));
        addTokens(h, r);
        h.requests++;
      }
    }

    if (prefixHash !== null) {
      const b5 = Math.trunc(time / BUCKET_MS);
      const pk = `${id} ${prefixHash}`;
      if (prefixTokens !== null && prefixTokens >= MIN_PREFIX_TOKENS) {
        const b60 = Math.trunc(time / HOUR_MS);
        let p = prefixes.get(pk);
        if (!p) prefixes.set(pk, (p = { subject: id, prefixHash, requests: 0, windows5m: 0, windows1h: 0, last5m: Number.NaN, last1h: Number.NaN, prefixTokens: 0, input: 0, cacheRead: 0, cacheWrite: 0 }));
        p.requests++;
        if (b5 !== p.last5m) {
          p.windows5m++;
          p.last5m = b5;
        }
        if (b60 !== p.last1h) {
          p.windows1h++;
          p.last1h = b60;
        }
        p.prefixTokens += prefixTokens;
        p.input += r[6];
        p.cacheRead += r[8];
        p.cacheWrite += r[9];
      }
      if (b5 !== bucket) {
        flushBucket();
        bucket = b5;
      }
      let g = buckets.get(pk);
      if (!g) buckets.set(pk, (g = { subject: id, n: 0, t: 0, tokens: zero(), capSum: 0, capN: 0 }));
      g.n++;
      if (truncated) {
        g.t++;
        addTokens(g.tokens, r);
        if (maxOut !== null) {
          g.capSum += maxOut;
          g.capN++;
        }
      }
    }

    if (requestHash !== null) {
      const d = Math.trunc(time / DAY_MS);
      if (d !== day) {
        flushDay();
        day = d;
      }
      const g = repeats.get(requestHash);
      if (!g) {
        const tokens = zero();
        addTokens(tokens, r);
        repeats.set(requestHash, { n: 1, org, feature, service, provider, model, tokens });
      } else {
        g.n++;
        g.org = minText(g.org, org);
        g.feature = minText(g.feature, feature);
        g.service = minText(g.service, service);
        g.provider = minText(g.provider, provider)!;
        g.model = minText(g.model, model)!;
        addTokens(g.tokens, r);
      }
    }
  };

  // Pages end at an instant: the page's rows are all the window's rows before the first instant past `pageRows` records (an index-only count).
  const boundarySql = 'SELECT time_ms FROM records WHERE time_ms >= ? AND time_ms < ? ORDER BY time_ms LIMIT 1 OFFSET ?';
  for (let from = slice.fromMs; from < slice.toMs;) {
    const next = await q(boundarySql, [from, slice.toMs, pageRows]);
    let to = next.length === 0 ? slice.toMs : num(next[0]!.time_ms);
    if (to === from) to = from + 1; // more than a page at one instant: that instant is a page
    const w = sliceWhere({ ...slice, fromMs: from, toMs: to });
    const [page] = await q(`SELECT json_group_array(json_array(${COLUMNS})) AS rows
      FROM records${w.sql} AND ${MODEL_EXPR} IS NOT NULL AND outcome <> 'blocked'`, w.params);
    const rows = JSON.parse(String(page?.rows ?? '[]')) as Row[];
    // The time index gives time order already (the sort then only checks it); the day and bucket groups rely on it.
    rows.sort((a, b) => a[5] - b[5]);
    for (const r of rows) add(r);
    from = to;
  }
  flushDay();
  flushBucket();

  const subjectStats: SubjectStats[] = [];
  traffic.forEach(({ errorCounts, ...s }, id) => {
    let top: [string, number] | undefined;
    for (const [type, n] of errorCounts) if (!top || n > top[1] || (n === top[1] && type < top[0])) top = [type, n];
    subjectStats.push({ ...subjects.keys[id]!, ...s, topErrorType: top ? top[0] : null });
  });
  const prefixStats: PrefixStats[] = [...prefixes.values()]
    .filter((p) => p.requests >= 2)
    .map((p) => ({
      ...subjects.keys[p.subject]!, prefixHash: p.prefixHash, requests: p.requests, windows5m: p.windows5m, windows1h: p.windows1h,
      prefixTokens: p.prefixTokens, input: p.input, cacheRead: p.cacheRead, cacheWrite: p.cacheWrite,
    }))
    .sort(groupByOrder);
  const truncationStats: TruncationStats[] = [...truncation].map(([id, { capSum, capN, ...a }]) => ({
    ...subjects.keys[id]!, ...a, meanMaxOutputTokens: capN === 0 ? null : capSum / capN,
  }));
  return { subjects: subjectStats, hours: [...hours.values()], prefixes: prefixStats, duplicates: duplicates.filter(Boolean), truncation: truncationStats };
}

/** The order of `GROUP BY org, feature, service, provider, model, prefix_hash` in SQLite. */
function groupByOrder(a: PrefixStats, b: PrefixStats): number {
  return compareText(a.org, b.org) || compareText(a.feature, b.feature) || compareText(a.service, b.service)
    || compareText(a.provider, b.provider) || compareText(a.model, b.model) || compareText(a.prefixHash, b.prefixHash);
}
