/**
 * The ledger as the dashboards test sees it: every record, read back through
 * the control plane's API, and exact sums over them (pico-USD as bigint), so
 * each dashboard figure is compared with what the ledger holds. Also the
 * calendar helpers the test needs, written here from Intl (not the control
 * plane's own code, which is what is being checked).
 */
import { parseUsd } from '@tokenmeter/instrumentation/pricing';

export interface LedgerRecord {
  id: string;
  time: string;
  org?: string;
  department?: string;
  user?: string;
  feature?: string;
  provider: string;
  request_model?: string;
  response_model?: string;
  tokens: { input: number; output: number; cache_read: number; cache_write: number; reasoning: number };
  total_tokens: number;
  cost_usd: string | null;
  outcome: string;
  error_type?: string;
  latency_ms: number;
}

/** The subject a record counts under in a scope (`(none)` when it has none), as the control plane's gauges name it. */
export function subjectOf(r: LedgerRecord, scope: 'org' | 'department' | 'user' | 'feature' | 'provider' | 'model'): string {
  const v = scope === 'user' ? r.user : scope === 'model' ? (r.response_model ?? r.request_model) : r[scope];
  return v ?? '(none)';
}

export const costPico = (r: LedgerRecord): bigint => (r.cost_usd === null ? 0n : parseUsd(r.cost_usd));

/** Sums of `value` per `key` over `records`. */
export function sumBy<K, V extends number | bigint>(records: readonly LedgerRecord[], key: (r: LedgerRecord) => K, value: (r: LedgerRecord) => V): Map<K, V> {
  const out = new Map<K, V>();
  for (const r of records) {
    const k = key(r);
    const v = value(r);
    const cur = out.get(k);
    out.set(k, (cur === undefined ? v : typeof v === 'bigint' ? (cur as bigint) + v : (cur as number) + (v as number)) as V);
  }
  return out;
}

/** Every record of the ledger, oldest first. */
export async function readLedger(api: <T>(method: string, path: string) => Promise<T>): Promise<LedgerRecord[]> {
  const out: LedgerRecord[] = [];
  let cursor: string | null = null;
  do {
    const page: { records: LedgerRecord[]; next_cursor: string | null } = await api('GET', `/api/v1/usage?limit=10000${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
    out.push(...page.records);
    cursor = page.next_cursor;
  } while (cursor !== null);
  return out;
}

function localParts(ms: number, tz: string): { y: number; m: number; d: number; h: number; mi: number; s: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(new Date(ms));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  return { y: get('year'), m: get('month'), d: get('day'), h: get('hour') % 24, mi: get('minute'), s: get('second') };
}

/** Local time minus UTC at `ms`, in ms. */
function offsetAt(ms: number, tz: string): number {
  const p = localParts(Math.floor(ms / 1000) * 1000, tz);
  return Date.UTC(p.y, p.m - 1, p.d, p.h, p.mi, p.s) - Math.floor(ms / 1000) * 1000;
}

/** The instant local wall time (y, m, d 00:00) begins in `tz` (whole-hour DST shifts near midnight are not needed here). */
function localMidnight(y: number, m: number, d: number, tz: string): number {
  const naive = Date.UTC(y, m - 1, d);
  let t = naive - offsetAt(naive, tz);
  t = naive - offsetAt(t, tz);
  return t;
}

/** [start, end) of the calendar month holding `ms` in `tz`. */
export function monthBounds(ms: number, tz: string): [number, number] {
  const p = localParts(ms, tz);
  const next = p.m === 12 ? [p.y + 1, 1] : [p.y, p.m + 1];
  return [localMidnight(p.y, p.m, 1, tz), localMidnight(next[0]!, next[1]!, 1, tz)];
}

/** [start, end) of the calendar hour, day or month holding `ms` in `tz` (the windows of the period gauges). */
export function periodBounds(ms: number, tz: string, period: 'hour' | 'day' | 'month'): [number, number] {
  if (period === 'month') return monthBounds(ms, tz);
  const p = localParts(ms, tz);
  if (period === 'hour') {
    const start = Math.floor(ms / 1000) * 1000 - (p.mi * 60 + p.s) * 1000;
    return [start, start + 3_600_000];
  }
  const next = new Date(Date.UTC(p.y, p.m - 1, p.d + 1));
  return [localMidnight(p.y, p.m, p.d, tz), localMidnight(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), tz)];
}

/** Zones whose hours start at :00, :30 and :45 past the UTC hour, across many UTC offsets. */
const CANDIDATE_ZONES = [
  'UTC', 'Europe/Berlin', 'Europe/Moscow', 'Asia/Dubai', 'Asia/Shanghai', 'Asia/Tokyo', 'Pacific/Auckland', 'Pacific/Honolulu',
  'America/Los_Angeles', 'America/Chicago', 'America/New_York', 'America/Sao_Paulo', 'Atlantic/Azores',
  'Asia/Kolkata', 'Asia/Tehran', 'Australia/Adelaide', 'America/St_Johns', 'Asia/Yangon', 'Australia/Darwin', 'Pacific/Marquesas',
  'Asia/Kathmandu', 'Pacific/Chatham', 'Australia/Eucla',
];

/**
 * The zone whose current hour, day, week and month stay put the longest from
 * `nowMs`: at least 15 minutes (hours start at :00, :30 or :45 UTC in some
 * zone), so a test run that short sees every call it makes in the current
 * windows of that zone. Returns the zone and when its next boundary comes.
 */
export function steadiestZone(nowMs: number): { zone: string; nextBoundaryMs: number } {
  let best = { zone: 'UTC', nextBoundaryMs: nowMs };
  for (const zone of CANDIDATE_ZONES) {
    const p = localParts(nowMs, zone);
    const intoHour = (p.mi * 60 + p.s) * 1000;
    const intoDay = ((p.h * 60 + p.mi) * 60 + p.s) * 1000;
    const toBoundary = Math.min(3_600_000 - intoHour, 86_400_000 - intoDay);
    if (nowMs + toBoundary > best.nextBoundaryMs) best = { zone, nextBoundaryMs: nowMs + toBoundary };
  }
  return best;
}
