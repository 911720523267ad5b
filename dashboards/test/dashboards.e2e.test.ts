/**
 * Every query of every shipped dashboard against a real Prometheus holding
 * data made in this test by the real SDK (a service under the register hook,
 * calling the mock provider through the openai and Anthropic SDKs and the
 * SDK's router) and the real control plane, with the shipped rules. Each
 * query must run and return something, and each panel is compared with the
 * ledger (the control plane's records, read back through its API):
 * - money and counts from the ledger gauges: equal (money up to float
 *   summation in PromQL, 1e-12 relative; counts exactly);
 * - the month-end projection: the run rate of the exact month-to-date at
 *   the scrape's time (0.1 %: the scrape's clock is known to the millisecond);
 * - rates from the SDK's metrics: within RATE_TOLERANCE of the ledger's calls
 *   of the measured phase (the SDK's series exist from a first phase, so
 *   rate() sees every call of the second; Prometheus extrapolates up to half a
 *   scrape interval at each end of the series);
 * - quotas, providers and blocks: equal to the control plane's API;
 * - alerts: the ones the traffic must raise are there;
 * - ledger anomalies: equal to GET /api/v1/analytics/anomalies for the
 *   monitor's hour, and the planted one's impact to the ledger's own sums.
 * A copy of a dashboard with a wrong label fails (the last tests).
 *
 * Before anything scrapes the control plane, 8 weeks of hourly history and a
 * runaway last hour are backfilled through POST /api/v1/usage
 * (support/backfill.ts), so the ledger anomaly monitor has an anomaly to
 * export from the detection its first scrape starts. The backfill crosses
 * into earlier days and months: every period panel is compared with the
 * ledger's records of its own window.
 *
 * The test's calendar windows (hour, day, week, month) are those of a zone
 * chosen so that none of them ends during the run (steadiestZone): every call
 * falls in the current window of each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@tokenmeter/testkit';
import { checkDashboard, compareSeries, keyOf, loadDashboards, runQuery, single, type Dashboard, type PanelCheck, type PanelResults, type Series } from './support/dashboards.js';
import { BACKFILL, BACKFILL_SUBJECTS, backfill } from './support/backfill.js';
import { costPico, monthBounds, periodBounds, readLedger, steadiestZone, subjectOf, sumBy, type LedgerRecord } from './support/ledger.js';
import { startStack, type Attribution, type Stack } from './support/stack.js';

/** Rates from the SDK's metrics against the ledger: relative tolerance (plus 1e-9 absolute for zero). */
const RATE_TOLERANCE = 0.1;
const MONEY = { relative: 1e-12 };
const COUNT = { relative: 0 };
const RATE = { relative: RATE_TOLERANCE, absolute: 1e-9, missingIsZero: true };
/** What `$__rate_interval` becomes: a window holding the whole run, as the recording rules' 5 m. */
const RATE_INTERVAL = '5m';

interface Call { attribution: Attribution; provider: 'openai' | 'anthropic'; model: string; usage?: Record<string, number>; fault?: string }
/** One round of traffic; the test runs it once (the SDK's series appear), then three times (measured). */
const ROUND: Array<Call | { route: Attribution }> = [
  // alice and carol name only their user: their departments come from the directory.
  { attribution: { user: 'alice', feature: 'search' }, provider: 'openai', model: 'gpt-4.1', usage: { input: 50_000, output: 2_000, cache_read: 10_000 } },
  { attribution: { user: 'alice', feature: 'search' }, provider: 'openai', model: 'gpt-4.1', usage: { input: 50_000, output: 2_000, cache_read: 10_000 } },
  // bob's calls name research although the directory says sales: the call wins.
  { attribution: { user: 'bob', department: 'research', feature: 'summarize' }, provider: 'anthropic', model: 'claude-sonnet-4-5', usage: { input: 20_000, output: 1_000, cache_write: 5_000 } },
  { attribution: { user: 'carol', feature: 'search' }, provider: 'openai', model: 'gpt-4.1', usage: { input: 10_000, output: 500, reasoning: 300 } },
  // dave is not in the directory: no department.
  { attribution: { user: 'dave', feature: 'chat' }, provider: 'openai', model: 'gpt-4.1', usage: { input: 5_000, output: 100 } },
  // A model without a price.
  { attribution: { user: 'alice', feature: 'search' }, provider: 'openai', model: 'mystery-model', usage: { input: 1_000, output: 100 } },
  // A provider error.
  { attribution: { user: 'carol', feature: 'search' }, provider: 'openai', model: 'gpt-4.1', fault: '500' },
  // Through the router: openai answers 429 (a fault rule on the mock), anthropic answers.
  { route: { user: 'erin', feature: 'chat' } },
];
const MEASURED_ROUNDS = 3;
/** Scrapes of the SDK's series before the measured phase. */
const AGE_SAMPLES = 25;

let stack: Stack;
let zone: string;
let nextBoundaryMs: number;
let startedMs: number;
let phase2StartMs: number;
let atSeconds: number;
let records: LedgerRecord[];
let dashboards: Map<string, Dashboard>;
/** The control plane's scrape time of the ledger gauges (their clock), ms. */
let scrapeMs: number;
/** When the backfill was in the ledger (the monitor's first hour is the one of its first scrape, after this). */
let backfilledMs: number;
const HOUR_MS = 3_600_000;

async function runRound(): Promise<void> {
  for (const step of ROUND) {
    if ('route' in step) {
      const r = await stack.route(step.route);
      expect(r.attempts.map((a) => [a.provider, a.outcome])).toEqual([['openai', 'failed'], ['anthropic', 'ok']]);
    } else {
      const r = await stack.call(step);
      expect(r.ok, JSON.stringify(step)).toBe(step.fault === undefined);
    }
  }
}

async function instant(expr: string): Promise<Series[]> {
  return runQuery(stack.prometheus.url, expr, true, Date.now() / 1000, Date.now() / 1000);
}

/**
 * Waits until Prometheus holds the ledger as it is now (the control plane's gauges count every record) and
 * a scrape of the service after `afterMs`, then until the recording rules and after them every other group
 * have run on those samples.
 */
async function settled(afterMs: number): Promise<void> {
  // The backfill reaches back before this month: the month's gauge counts the month's records.
  const [monthStart, monthEnd] = monthBounds(Date.now(), zone);
  const ledgerRecords = (await readLedger((method, path) => stack.api(method, path, undefined, 'read')))
    .filter((r) => Date.parse(r.time) >= monthStart && Date.parse(r.time) < monthEnd).length;
  const latest = async (expr: string): Promise<number | undefined> => (await instant(expr))[0]?.value;
  const scrapedMs = await waitFor(async () => {
    const counted = await latest('max(tokenmeter_period_requests{scope="all", period="month"})');
    const cp = await latest('max(timestamp(tokenmeter_period_requests{scope="all", period="month"}))');
    const sdk = await latest('max(timestamp(up{job="tokenmeter-sdk"} == 1))');
    if (counted !== ledgerRecords || cp === undefined || sdk === undefined || sdk * 1000 <= afterMs) return undefined;
    return Math.max(cp, sdk) * 1000;
  }, { timeoutMillis: 30_000, what: `Prometheus to scrape the ${ledgerRecords} ledger records and the service` });
  // Groups run independently: the alerts read recorded series, so they must run after the recording group did.
  // A group's `lastEvaluation` is the wall-clock start of its last run, but that run queried at the interval's
  // tick before it (up to one interval earlier; under load that tick can precede the samples just waited for).
  // So a run has seen everything up to T once it started more than one interval after T.
  type Group = { name: string; lastEvaluation: string; evaluationTime: number; interval: number };
  const groups = async (): Promise<Group[]> =>
    ((await (await fetch(`${stack.prometheus.url}/api/v1/rules`)).json()) as { data: { groups: Group[] } }).data.groups;
  const sawAfter = (g: Group, ms: number): boolean => Date.parse(g.lastEvaluation) - g.interval * 1000 > ms;
  const recordedMs = await waitFor(async () => {
    const recording = (await groups()).find((g) => g.name === 'tokenmeter-recording');
    // The recorded samples exist once that run has finished.
    return recording !== undefined && sawAfter(recording, scrapedMs) ? Date.parse(recording.lastEvaluation) + recording.evaluationTime * 1000 : undefined;
  }, { timeoutMillis: 30_000, what: 'the recording rules to run on those samples' });
  await waitFor(async () => (await groups()).every((g) => sawAfter(g, recordedMs)), { timeoutMillis: 30_000, what: 'every rule group to run after the recording rules' });
}

/** Waits until every SDK series has been scraped `samples` times: rate() extrapolates less the longer a series is. */
async function seriesAged(samples: number): Promise<void> {
  await waitFor(async () => ((await instant('min(count_over_time(tokenmeter_requests_total[10m]))'))[0]?.value ?? 0) >= samples,
    { timeoutMillis: 60_000, intervalMillis: 500, what: `every SDK series to have ${samples} samples` });
}

beforeAll(async () => {
  startedMs = Date.now();
  ({ zone, nextBoundaryMs } = steadiestZone(startedMs));
  dashboards = loadDashboards();
  stack = await startStack({
    beforeScrape: async (api) => {
      await backfill((body) => api('POST', '/api/v1/usage', body, 'ingest'), Date.now());
      backfilledMs = Date.now();
    },
  });
  for (const [user, entry] of Object.entries({
    alice: { department: 'research', org: 'acme' }, bob: { department: 'sales', org: 'acme' },
    carol: { department: 'sales', org: 'acme' }, erin: { org: 'acme' },
  })) await stack.api('PUT', `/api/v1/directory/users/${user}`, entry);
  // Quotas and a budget in the chosen zone (the dashboards' "today" and "this month" are the quotas' zone).
  await stack.api('POST', '/api/v1/quotas', { id: 'research-month', scope: 'department', subject: 'research', metric: 'cost', period: 'month', timezone: zone, limit: 1, enforcement: 'soft' });
  await stack.api('POST', '/api/v1/quotas', { id: 'user-day-tokens', scope: 'user', subject: '*', metric: 'tokens', period: 'day', timezone: zone, limit: 10_000_000, enforcement: 'hard' });
  await stack.api('POST', '/api/v1/budgets', { id: 'budget-acme', scope: 'org', subject: 'acme', amount: 1000, period: 'month', timezone: zone });
  await stack.api('PUT', '/api/v1/providers/acme/openai', { enabled: true, priority: 0, limits: { hourly_requests: 1000, daily_tokens: 50_000_000 } });
  await stack.api('PUT', '/api/v1/providers/*/anthropic', { enabled: true, priority: 1, limits: { hourly_requests: 500 } });
  stack.mock.setFaults([{ match: { provider: 'openai', model: 'gpt-4.1-mini' }, fault: '429' }]);

  // Phase 1: every series the measured phase touches comes into being (a counter's first sample is not a rate).
  await runRound();
  await stack.flush();
  await settled(Date.now());
  // Rates over a series that started a few seconds ago are extrapolated by up to a scrape interval at its
  // start and end: with AGE_SAMPLES scrapes before the measured phase that is at most a few per cent.
  await seriesAged(AGE_SAMPLES);
  // Phase 2, measured.
  phase2StartMs = Date.now();
  for (let i = 0; i < MEASURED_ROUNDS; i++) await runRound();
  await stack.flush();
  await settled(Date.now());
  atSeconds = Date.now() / 1000;
  records = await readLedger((method, path) => stack.api(method, path, undefined, 'read'));
  scrapeMs = ((await runQuery(stack.prometheus.url, 'max(timestamp(tokenmeter_period_cost_usd))', true, atSeconds, atSeconds))[0]?.value ?? 0) * 1000;
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

// ------------------------------------------------------------------ expectations from the ledger

const usd = (pico: bigint): number => Number(pico) / 1e12;
const phase2 = (): LedgerRecord[] => records.filter((r) => Date.parse(r.time) >= phase2StartMs);
const inDepartment = (department: string) => (r: LedgerRecord): boolean => department === '.*' || subjectOf(r, 'department') === department;
/** Records of the current hour, day or month of the zone (the run stays inside each: see steadiestZone). */
const inPeriod = (period: 'hour' | 'day' | 'month') => (r: LedgerRecord): boolean => {
  const [start, end] = periodBounds(scrapeMs, zone, period);
  const t = Date.parse(r.time);
  return t >= start && t < end;
};

/** Money or count per key as numbers. */
function expectedBy(rs: readonly LedgerRecord[], key: (r: LedgerRecord) => string, value: (r: LedgerRecord) => number | bigint, scale = 1): Map<string, number> {
  const sums = sumBy(rs, key, value);
  return new Map([...sums].map(([k, v]) => [k, (typeof v === 'bigint' ? usd(v) : v) * scale]));
}

const total = (rs: readonly LedgerRecord[], value: (r: LedgerRecord) => number | bigint): number => expectedBy(rs, () => '*', value).get('*') ?? 0;
const unpriced = (r: LedgerRecord): number => (r.cost_usd === null ? 1 : 0);

function singleValue(refId: string, expected: number, tolerance: { relative: number; absolute?: number }, what: string): PanelCheck {
  return (results) => {
    const { value, problems } = single(results.get(refId), what);
    if (value === undefined) return problems;
    const allowed = Math.max(tolerance.relative * Math.abs(expected), tolerance.absolute ?? 0);
    return Math.abs(value - expected) <= allowed ? [] : [`${what}: ${value}, the ledger says ${expected}`];
  };
}

function byKey(refId: string, labels: string[], expected: Map<string, number>, tolerance: Parameters<typeof compareSeries>[4], what: string): PanelCheck {
  return (results) => compareSeries(results.get(refId) ?? [], keyOf(labels), expected, what, tolerance);
}

function all(...checks: PanelCheck[]): PanelCheck {
  return async (results: PanelResults) => (await Promise.all(checks.map((c) => c(results)))).flat();
}

/** The run-rate projection of each subject's exact month-to-date at the scrape time. */
function projected(rs: readonly LedgerRecord[], key: (r: LedgerRecord) => string): Map<string, number> {
  const [start, end] = monthBounds(scrapeMs, zone);
  const mtd = sumBy(rs, key, costPico);
  return new Map([...mtd].map(([k, v]) => [k, usd((v * BigInt(end - start)) / BigInt(Math.round(scrapeMs - start)))]));
}
const PROJECTION = { relative: 1e-3 };

/** Phase-2 sums per key as a per-second rate over 5 minutes (× `scale`, e.g. 3600 for per hour). */
const rate5m = (rs: readonly LedgerRecord[], key: (r: LedgerRecord) => string, value: (r: LedgerRecord) => number | bigint, scale = 1): Map<string, number> =>
  expectedBy(rs, key, value, scale / 300);

const withProvider = (r: LedgerRecord): string => `${r.provider} / ${r.request_model ?? '(none)'}`;
const failed = (r: LedgerRecord): number => (r.outcome === 'error' || r.outcome === 'fallback' ? 1 : 0);

function overviewChecks(department: string): Map<string, PanelCheck> {
  const mine = records.filter(inDepartment(department));
  const [hour, rs, month] = [mine.filter(inPeriod('hour')), mine.filter(inPeriod('day')), mine.filter(inPeriod('month'))];
  const p2 = phase2().filter(inDepartment(department));
  const dept = (r: LedgerRecord): string => subjectOf(r, 'department');
  return new Map<string, PanelCheck>([
    ['Cost today', singleValue('A', total(rs, costPico), MONEY, 'cost today')],
    ['Cost this hour', singleValue('A', total(hour, costPico), MONEY, 'cost this hour')],
    ['Month to date', singleValue('A', total(month, costPico), MONEY, 'month to date')],
    ['Projected month-end', (results) => {
      const perDepartment = projected(month, dept);
      return singleValue('A', [...perDepartment.values()].reduce((a, b) => a + b, 0), PROJECTION, 'projected month-end')(results);
    }],
    ['Hourly rate', singleValue('A', total(p2, costPico), { relative: RATE_TOLERANCE }, 'USD over the last hour')],
    ['Calls today', singleValue('A', rs.length, COUNT, 'calls today')],
    ['Tokens today', singleValue('A', total(rs, (r) => r.total_tokens), COUNT, 'tokens today')],
    ['Unpriced calls today', singleValue('A', total(rs, unpriced), COUNT, 'unpriced calls today')],
    ['Cost rate by model (USD/h)', byKey('A', ['gen_ai_provider_name', 'gen_ai_request_model'], rate5m(p2, withProvider, costPico, 3600), RATE, 'USD/h by model')],
    ['Cost rate by department (USD/h)', byKey('A', ['tokenmeter_department'], rate5m(p2, dept, costPico, 3600), RATE, 'USD/h by department')],
    ['Cost rate by feature (USD/h)', byKey('A', ['tokenmeter_feature'], rate5m(p2, (r) => subjectOf(r, 'feature'), costPico, 3600), RATE, 'USD/h by feature')],
    ['Cost today by department', byKey('A', ['subject'], expectedBy(rs, dept, costPico), MONEY, 'cost today by department')],
    ['Tokens by type (tokens/s)', byKey('A', ['gen_ai_token_type'], new Map((['input', 'output', 'cache_read', 'cache_write', 'reasoning'] as const).map((t) => [t, total(p2, (r) => r.tokens[t]) / 300])), RATE, 'tokens/s by type')],
    ['Calls by outcome (calls/s)', byKey('A', ['tokenmeter_outcome'], rate5m(p2, (r) => r.outcome, () => 1), RATE, 'calls/s by outcome')],
    ['Quota utilisation', quotaColumns({ A: 'utilization' })],
  ]);
}

/** Quota status of every quota and budget from the API: `quota_id / subject` → window. */
let quotaStatus: Map<string, { utilization: number; usage: number; limit: number; enforcement: string; thresholds: number[] }>;
async function readQuotaStatus(): Promise<void> {
  quotaStatus = new Map();
  const quotas = await stack.api<{ quotas: Array<{ id: string; thresholds: number[] }> }>('GET', '/api/v1/quotas', undefined, 'read');
  const budgets = await stack.api<{ budgets: Array<{ id: string; thresholds: number[] }> }>('GET', '/api/v1/budgets', undefined, 'read');
  for (const q of [...quotas.quotas, ...budgets.budgets]) {
    const status = await stack.api<{ enforcement: string; windows: Array<{ subject: string; utilization: number; usage: number; limit: number }> }>('GET', `/api/v1/quotas/${q.id}/status`, undefined, 'read');
    for (const w of status.windows) quotaStatus.set(`${q.id} / ${w.subject}`, { ...w, enforcement: status.enforcement, thresholds: q.thresholds });
  }
}

function quotaColumns(columns: Record<string, 'utilization' | 'usage' | 'limit'>): PanelCheck {
  return all(...Object.entries(columns).map(([refId, field]) =>
    byKey(refId, ['quota_id', 'subject'], new Map([...quotaStatus].map(([k, w]) => [k, w[field]])), COUNT, `quota ${field}`)));
}

function allocationChecks(period: 'month' | 'day'): Map<string, PanelCheck> {
  const inWindow = records.filter(inPeriod(period));
  const month = records.filter(inPeriod('month'));
  const scopeTable = (scope: 'org' | 'department' | 'feature' | 'provider'): PanelCheck => all(
    byKey('A', ['subject'], expectedBy(inWindow, (r) => subjectOf(r, scope), costPico), MONEY, `${scope} cost`),
    byKey('B', ['subject'], expectedBy(inWindow, (r) => subjectOf(r, scope), () => 1), COUNT, `${scope} calls`),
    byKey('C', ['subject'], expectedBy(inWindow, (r) => subjectOf(r, scope), (r) => r.total_tokens), COUNT, `${scope} tokens`),
  );
  const dept = (r: LedgerRecord): string => subjectOf(r, 'department');
  const users = (rs: readonly LedgerRecord[]) => expectedBy(rs, (r) => subjectOf(r, 'user'), costPico);
  return new Map<string, PanelCheck>([
    ['Total cost', singleValue('A', total(inWindow, costPico), MONEY, `${period} total`)],
    ['Calls', singleValue('A', inWindow.length, COUNT, `${period} calls`)],
    ['Without a department', singleValue('A', usd(sumBy(inWindow, dept, costPico).get('(none)') ?? 0n), MONEY, 'cost without a department')],
    ['Projected month-end', singleValue('A', projected(month, () => '*').get('*') ?? 0, PROJECTION, 'projected month-end')],
    ['By organisation', scopeTable('org')],
    ['By department', all(scopeTable('department'), byKey('D', ['subject'], projected(month, dept), PROJECTION, 'department projection'))],
    ['By feature', scopeTable('feature')],
    ['By provider', scopeTable('provider')],
    ['Top users this month', all(byKey('A', ['subject'], users(month), MONEY, 'users this month'), byKey('B', ['subject'], users(records.filter(inPeriod('day'))), MONEY, 'users today'))],
    ['Share by department', byKey('A', ['subject'], expectedBy(inWindow, dept, costPico), MONEY, 'share by department')],
    ['Cost rate by department (USD/h)', byKey('A', ['tokenmeter_department'], rate5m(phase2(), dept, costPico, 3600), RATE, 'USD/h by department')],
  ]);
}

let blocks: Array<{ scope: string }>;
let expectedQuotaAlerts: number;
function quotaChecks(): Map<string, PanelCheck> {
  const windows = [...quotaStatus.values()];
  const alertKeys = (results: PanelResults): Set<string> => new Set((results.get('A') ?? []).map((s) =>
    [s.labels.alertname, s.labels.alertstate, s.labels.quota_id, s.labels.threshold, s.labels.tokenmeter_department, s.labels.gen_ai_request_model].filter((v) => v !== undefined && v !== '').join(' ')));
  return new Map<string, PanelCheck>([
    ['At or over 80 %', singleValue('A', windows.filter((w) => w.utilization >= 0.8).length, COUNT, 'quotas at 80 %')],
    ['Hard quotas exhausted', singleValue('A', windows.filter((w) => w.enforcement === 'hard' && w.utilization >= 1).length, COUNT, 'hard quotas exhausted')],
    ['Active blocks', singleValue('A', blocks.length, COUNT, 'active blocks')],
    ['Firing quota alerts', singleValue('A', expectedQuotaAlerts, COUNT, 'firing quota alerts')],
    ['Quotas and budgets', quotaColumns({ A: 'utilization', B: 'usage', C: 'limit' })],
    ['Utilisation', quotaColumns({ A: 'utilization' })],
    ['Blocks by scope', byKey('A', ['scope'], new Map(['org', 'department', 'user', 'feature', 'provider'].map((s) => [s, blocks.filter((b) => b.scope === s).length])), COUNT, 'blocks by scope')],
    ['Alerts (firing and pending)', (results) => {
      const keys = alertKeys(results);
      const want = [
        'TokenmeterQuotaThreshold firing research-month 80', 'TokenmeterQuotaThreshold firing research-month 90', 'TokenmeterQuotaThreshold firing research-month 100',
        'TokenmeterUnpricedCalls firing mystery-model', 'TokenmeterCostSpike pending research',
      ];
      return want.filter((w) => !keys.has(w)).map((w) => `missing alert ${w} (have: ${[...keys].join('; ')})`);
    }],
  ]);
}

let providerStates: Array<{ org: string; provider: string; enabled: boolean; priority: number; limits: Record<string, number | undefined> }>;
function providerChecks(): Map<string, PanelCheck> {
  const hourStart = Math.floor(scrapeMs / 3_600_000) * 3_600_000;
  const dayStart = Math.floor(scrapeMs / 86_400_000) * 86_400_000;
  const limitKey = (s: { org: string; provider: string }, period: string, metric: string): string => `${s.org} / ${s.provider} / ${period} / ${metric}`;
  const limits = new Map<string, number>();
  const used = new Map<string, number>();
  for (const s of providerStates) {
    const mine = records.filter((r) => r.provider === s.provider && (s.org === '*' || r.org === s.org) && Date.parse(r.time) <= scrapeMs);
    const windows = { hour: mine.filter((r) => Date.parse(r.time) >= hourStart), day: mine.filter((r) => Date.parse(r.time) >= dayStart) };
    for (const [period, name] of [['hour', 'hourly'], ['day', 'daily']] as const) {
      for (const metric of ['requests', 'tokens'] as const) {
        const limit = s.limits[`${name}_${metric}`];
        if (limit === undefined) continue;
        limits.set(limitKey(s, period, metric), limit);
        used.set(limitKey(s, period, metric), metric === 'requests' ? windows[period].length : total(windows[period], (r) => r.total_tokens));
      }
    }
  }
  const keys = ['tokenmeter_org', 'gen_ai_provider_name', 'period', 'metric'];
  const p2 = phase2();
  const latencyBound = (results: PanelResults): string[] => {
    // histogram_quantile interpolates inside the bucket: a value between 0 and the top of the bucket holding the slowest call.
    const slowest = Math.max(...p2.map((r) => r.latency_ms)) / 1000;
    const top = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92].find((b) => b >= slowest) ?? Infinity;
    const problems: string[] = [];
    for (const ref of ['A', 'B']) {
      const series = results.get(ref) ?? [];
      const providers = new Set(series.map((s) => s.labels.gen_ai_provider_name));
      if (!providers.has('openai') || !providers.has('anthropic')) problems.push(`latency [${ref}]: providers ${[...providers].join(', ')}`);
      for (const s of series) if (!(s.value > 0 && s.value <= top)) problems.push(`latency [${ref}] ${s.labels.gen_ai_provider_name}: ${s.value} s, outside (0, ${top}] (slowest call ${slowest} s)`);
    }
    return problems;
  };
  return new Map<string, PanelCheck>([
    ['Latency p50 and p95', latencyBound],
    ['Calls by outcome (calls/s)', byKey('A', ['gen_ai_provider_name', 'tokenmeter_outcome'], rate5m(p2, (r) => `${r.provider} / ${r.outcome}`, () => 1), RATE, 'calls/s by provider and outcome')],
    ['Failure ratio', byKey('A', ['gen_ai_provider_name'], new Map([...sumBy(p2, (r) => r.provider, failed)].map(([p, f]) => [p, f / p2.filter((r) => r.provider === p).length])), RATE, 'failure ratio')],
    ['Failures by error type (calls/s)', byKey('A', ['gen_ai_provider_name', 'error_type'], rate5m(p2.filter((r) => failed(r) === 1), (r) => `${r.provider} / ${r.error_type ?? '(none)'}`, () => 1), RATE, 'failures by type')],
    ['Fallbacks by reason (per s)', (results) => {
      const byProvider = new Map<string, number>();
      for (const s of results.get('A') ?? []) byProvider.set(s.labels.gen_ai_provider_name ?? '(none)', (byProvider.get(s.labels.gen_ai_provider_name ?? '(none)') ?? 0) + s.value);
      return compareSeries([...byProvider].map(([p, v]) => ({ labels: { gen_ai_provider_name: p }, value: v })), keyOf(['gen_ai_provider_name']),
        rate5m(p2.filter((r) => r.outcome === 'fallback'), (r) => r.provider, () => 1), 'fallbacks/s by provider', RATE);
    }],
    ['Limit used', byKey('A', keys, new Map([...limits].map(([k, l]) => [k, (used.get(k) ?? 0) / l])), { relative: 1e-12 }, 'share of the limit used')],
    ['Rate-limit headroom', all(
      byKey('A', keys, limits, COUNT, 'limit'),
      byKey('B', keys, used, COUNT, 'used'),
      byKey('C', keys, new Map([...limits].map(([k, l]) => [k, l - (used.get(k) ?? 0)])), COUNT, 'headroom'),
    )],
    ['Provider settings', all(
      byKey('A', ['tokenmeter_org', 'gen_ai_provider_name'], new Map(providerStates.map((s) => [`${s.org} / ${s.provider}`, s.enabled ? 1 : 0])), COUNT, 'enabled'),
      byKey('B', ['tokenmeter_org', 'gen_ai_provider_name'], new Map(providerStates.map((s) => [`${s.org} / ${s.provider}`, s.priority])), COUNT, 'priority'),
    )],
  ]);
}

/** A ledger anomaly as GET /api/v1/analytics/anomalies reports it, labelled as the monitor's gauges are. */
interface LedgerAnomaly { scope: string; subject: string; metric: string; kind: string; direction: string; id: string; start: number; impactUsd: number; score: number }
const anomalyKey = (a: Pick<LedgerAnomaly, 'scope' | 'subject' | 'metric' | 'kind' | 'direction'>): string => `${a.scope} / ${a.subject} / ${a.metric} / ${a.kind} / ${a.direction}`;
const foundKey = (a: Pick<LedgerAnomaly, 'scope' | 'subject' | 'metric' | 'kind'>): string => `${a.scope} / ${a.subject} / ${a.metric} / ${a.kind}`;
const MONITOR_LABELS = ['scope', 'subject', 'metric', 'kind', 'direction'];

/**
 * The anomalies the API reports ending at `hourEnd` (UTC) for one subject, with the monitor's settings: UTC
 * hours, the 48 hours before scored (the monitor's window), at least 1 USD of impact, cost and failed-request
 * surges, computed with only the records before the hour's end (as_of).
 */
async function apiAnomalies(hourEnd: number, scope: string, subject: string): Promise<LedgerAnomaly[]> {
  const out: LedgerAnomaly[] = [];
  for (const metric of ['cost', 'error_rate'] as const) {
    const query = new URLSearchParams({
      metric, tz: 'UTC', from: new Date(hourEnd - 48 * HOUR_MS).toISOString(), to: new Date(hourEnd).toISOString(),
      as_of: new Date(hourEnd).toISOString(), min_impact_usd: '1', explain: 'false',
    });
    if (scope !== 'all') {
      query.set('scope', scope);
      query.set('subject', subject);
    }
    const answer = await stack.api<{ anomalies: Array<{ id: string; start: string; end: string; kind: string; direction: string; impact_usd: string; score: number }> }>(
      'GET', `/api/v1/analytics/anomalies?${query}`, undefined, 'read');
    for (const a of answer.anomalies) {
      if (Date.parse(a.end) !== hourEnd) continue;
      out.push({ scope, subject, metric, kind: a.kind, direction: a.direction, id: a.id, start: Date.parse(a.start), impactUsd: Number(a.impact_usd), score: a.score });
    }
  }
  return out;
}

/**
 * The end of the hour the monitor's published figures are of: its detection runs in the background, so just after
 * an hour ends the scrape still publishes the previous hour's (tokenmeter_analytics_anomaly_detection_timestamp_seconds).
 */
let monitorHourEndMs: number;
/** The API's anomalies under way in the monitor's hour, by gauge labels. */
let ledgerAnomalies: Map<string, LedgerAnomaly>;
/** Distinct anomalies per (scope, subject, metric, kind) over the hours the monitor evaluated: its counter. */
let anomaliesFound: Map<string, number>;

/**
 * Reads the API for every subject the backfill raises and every subject a gauge names, for the monitor's hour
 * at the scrape and (if the UTC hour ended during the run) the hour it evaluated first.
 */
async function readLedgerAnomalies(): Promise<void> {
  monitorHourEndMs = (await runQuery(stack.prometheus.url, 'tokenmeter_analytics_anomaly_detection_timestamp_seconds', true, atSeconds, atSeconds))[0]!.value * 1000;
  const hourEnd = monitorHourEndMs;
  const firstHourEnd = Math.floor(backfilledMs / HOUR_MS) * HOUR_MS;
  const gauges = await runQuery(stack.prometheus.url, 'tokenmeter_analytics_anomaly_impact_usd', true, atSeconds, atSeconds);
  const subjects = new Map<string, { scope: string; subject: string }>();
  for (const s of [...BACKFILL_SUBJECTS, ...gauges.map((g) => ({ scope: g.labels.scope ?? '', subject: g.labels.subject ?? '' }))]) subjects.set(`${s.scope} / ${s.subject}`, s);
  ledgerAnomalies = new Map();
  const ids = new Map<string, Set<string>>();
  for (const end of new Set([firstHourEnd, hourEnd])) {
    for (const { scope, subject } of subjects.values()) {
      for (const a of await apiAnomalies(end, scope, subject)) {
        if (end === hourEnd) ledgerAnomalies.set(anomalyKey(a), a);
        ids.set(foundKey(a), (ids.get(foundKey(a)) ?? new Set()).add(a.id));
      }
    }
  }
  anomaliesFound = new Map([...ids].map(([k, set]) => [k, set.size]));
}

/** Median as the detector takes it (the mean of the middle two of an even count). */
function median(values: readonly number[]): number {
  const v = [...values].sort((x, y) => x - y);
  const m = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}

/**
 * The impact of a cost anomaly from the ledger's records alone: over its hours, cost minus the median cost of
 * the same hour in each of the 8 weeks before (the detector's expectation, written here from its definition).
 */
function ledgerImpact(a: LedgerAnomaly, hourEnd: number): number {
  const mine = a.scope === 'all' ? records : records.filter((r) => subjectOf(r, a.scope as 'department') === a.subject);
  const costIn = (from: number): number => usd(mine.filter((r) => Date.parse(r.time) >= from && Date.parse(r.time) < from + HOUR_MS).reduce((x, r) => x + costPico(r), 0n));
  let impact = 0;
  for (let hour = a.start; hour < hourEnd; hour += HOUR_MS) {
    impact += costIn(hour) - median(Array.from({ length: 8 }, (_, k) => costIn(hour - (k + 1) * 168 * HOUR_MS)));
  }
  return impact;
}

/** The API's impact is a decimal rounded to the micro-dollar; the gauge is the float it was rounded from. */
const IMPACT = { relative: 0, absolute: 1e-6 };
/** The API rounds the score to 3 decimals. */
const SCORE = { relative: 0, absolute: 5e-4 + 1e-9 };

function anomalyChecks(): Map<string, PanelCheck> {
  const p2 = phase2();
  const dept = (r: LedgerRecord): string => subjectOf(r, 'department');
  const models = (rs: readonly LedgerRecord[]) => expectedBy(rs.filter((r) => r.cost_usd === null), (r) => subjectOf(r, 'model'), () => 1);
  const anomalies = [...ledgerAnomalies.values()];
  return new Map<string, PanelCheck>([
    // Unpriced calls and ledger anomalies fire at once; the spike and the failure surge wait (for: 10m, 5m), so they are pending.
    ['Anomaly alerts firing', singleValue('A', models(records).size + anomalies.length, COUNT, 'firing anomaly alerts')],
    ['Unpriced calls today', singleValue('A', total(records.filter(inPeriod('day')), unpriced), COUNT, 'unpriced today')],
    ['Unpriced calls this month', singleValue('A', total(records.filter(inPeriod('month')), unpriced), COUNT, 'unpriced this month')],
    ['Ledger anomalies (last complete UTC hour)', all(
      byKey('A', MONITOR_LABELS, new Map(anomalies.map((a) => [anomalyKey(a), a.impactUsd])), IMPACT, 'anomaly impact (USD) against the API'),
      byKey('B', MONITOR_LABELS, new Map(anomalies.map((a) => [anomalyKey(a), a.score])), SCORE, 'anomaly score against the API'),
    )],
    ['Ledger anomalies found (last 24 h)', byKey('A', ['scope', 'subject', 'metric', 'kind'], anomaliesFound, COUNT, 'anomalies found')],
    ['Anomaly alerts (firing and pending)', (results) => {
      const have = new Set((results.get('A') ?? []).map((s) => `${s.labels.alertname} ${s.labels.alertstate} ${s.labels.scope !== undefined
        ? `${s.labels.scope} ${s.labels.subject} ${s.labels.metric} ${s.labels.kind}`
        : s.labels.tokenmeter_department ?? s.labels.gen_ai_request_model ?? s.labels.gen_ai_provider_name ?? ''}`));
      return ['TokenmeterUnpricedCalls firing mystery-model', 'TokenmeterCostSpike pending research', 'TokenmeterFailedRequestSurge pending openai',
        ...anomalies.map((a) => `TokenmeterLedgerAnomaly firing ${a.scope} ${a.subject} ${a.metric} ${a.kind}`)]
        .filter((w) => !have.has(w)).map((w) => `missing alert ${w} (have: ${[...have].join('; ')})`);
    }],
    ['Department spend over its usual rate', (results) => {
      // The spike alert's own condition: research spends more than 3x its usual rate.
      const research = (results.get('A') ?? []).find((s) => s.labels.tokenmeter_department === 'research');
      return research !== undefined && research.value > 3 ? [] : [`research: ${research?.value} (the spike alert is pending, so it must be over 3)`];
    }],
    ['Department spend (USD/h)', all(
      byKey('A', ['tokenmeter_department'], rate5m(p2, dept, costPico, 3600), RATE, 'USD/h by department now'),
      (results) => (results.get('B') ?? []).every((s) => s.value > 0) ? [] : ['the usual rate must be positive for departments that spent'],
    )],
    ['Provider failure ratio', byKey('A', ['gen_ai_provider_name'], new Map([...sumBy(p2, (r) => r.provider, failed)].map(([p, f]) => [p, f / p2.filter((r) => r.provider === p).length])), RATE, 'failure ratio')],
    ['Unpriced calls this month by model', byKey('A', ['subject'], models(records.filter(inPeriod('month'))), COUNT, 'unpriced by model')],
    ['Unpriced calls by model (calls/s)', byKey('A', ['gen_ai_provider_name', 'gen_ai_request_model'], rate5m(p2.filter((r) => r.cost_usd === null), withProvider, () => 1), RATE, 'unpriced calls/s')],
  ]);
}

// ------------------------------------------------------------------ tests

function byUid(uid: string): Dashboard {
  const d = [...dashboards.values()].find((x) => x.uid === uid);
  if (d === undefined) throw new Error(`no dashboard ${uid}`);
  return d;
}

// A whole number of 1 s steps back from the evaluation time, so a range query's last point is at that time.
const check = (uid: string, vars: Record<string, string>, checks: Map<string, PanelCheck>, dashboard = byUid(uid)) =>
  checkDashboard(dashboard, {
    prometheusUrl: stack.prometheus.url, atSeconds, fromSeconds: atSeconds - Math.ceil(atSeconds - startedMs / 1000), checks,
    vars: { __rate_interval: RATE_INTERVAL, timezone: zone, ...vars },
  });

describe('dashboards against the ledger (real SDK, control plane and Prometheus)', () => {
  it('ran inside one hour, day, week and month of the chosen zone, and the measured phase inside the 5-minute rate window', () => {
    expect(Date.now(), `the run crossed a calendar boundary of ${zone}`).toBeLessThan(nextBoundaryMs);
    expect(atSeconds * 1000 - phase2StartMs).toBeLessThan(240_000);
    expect(phase2().length).toBe(MEASURED_ROUNDS * ROUND.length + MEASURED_ROUNDS); // the routed call is two records (fallback + answer)
  });

  it('the variables list what the panels filter on', async () => {
    const label = async (name: string, match: string): Promise<string[]> => {
      const body = (await (await fetch(`${stack.prometheus.url}/api/v1/label/${name}/values?match[]=${encodeURIComponent(match)}`)).json()) as { data: string[] };
      return body.data;
    };
    const overview = byUid('tokenmeter-overview');
    const variable = (name: string) => overview.templating.list.find((v) => v.name === name)!;
    const timezones = await label('timezone', 'tokenmeter_period_cost_usd{scope="all"}');
    expect(timezones).toEqual([zone]);
    expect(variable('timezone').definition).toBe('label_values(tokenmeter_period_cost_usd{scope="all"}, timezone)');
    const departments = await label('subject', `tokenmeter_period_cost_usd{scope="department", period="month", timezone="${zone}"}`);
    const regex = variable('department').regex!;
    const shown = departments.filter((d) => new RegExp(regex.slice(1, -1)).test(d));
    // research and sales from the calls and the directory, platform from the backfill (when it reaches into this month).
    const thisMonth = new Set(records.filter(inPeriod('month')).map((r) => subjectOf(r, 'department')).filter((d) => d !== '(none)'));
    expect(thisMonth).toContain('research');
    expect(shown.sort()).toEqual([...thisMonth].sort());
    expect(departments).toContain('(none)');
    const providers = await label('gen_ai_provider_name', 'tokenmeter:requests_per_second:rate5m');
    expect(providers.sort()).toEqual(['anthropic', 'openai']);
  });

  it('overview, every department: each panel equals the ledger', async () => {
    await readQuotaStatus();
    expect(await check('tokenmeter-overview', { department: '.*' }, overviewChecks('.*'))).toEqual([]);
  });

  it('overview, department research (from calls and from the directory): no panel empties, each equals the ledger', async () => {
    await readQuotaStatus();
    expect(await check('tokenmeter-overview', { department: 'research' }, overviewChecks('research'))).toEqual([]);
  });

  it('overview, department sales (only from the directory): each panel equals the ledger', async () => {
    await readQuotaStatus();
    expect(await check('tokenmeter-overview', { department: 'sales' }, overviewChecks('sales'))).toEqual([]);
  });

  it.each(['month', 'day'] as const)('cost allocation, period %s: each table sums the ledger exactly', async (period) => {
    expect(await check('tokenmeter-cost-allocation', { period }, allocationChecks(period))).toEqual([]);
  });

  it('quotas and alerts: equal the quota status API; the crossed thresholds fire', async () => {
    await readQuotaStatus();
    blocks = (await stack.api<{ blocks: Array<{ scope: string }> }>('GET', '/api/v1/enforcement', undefined, 'read')).blocks;
    expectedQuotaAlerts = [...quotaStatus.values()].reduce((n, w) => n + [...new Set([...w.thresholds, ...(w.enforcement === 'hard' ? [1] : [])])].filter((t) => w.utilization >= t).length, 0);
    expect(expectedQuotaAlerts).toBe(3);
    expect(await check('tokenmeter-quotas', {}, quotaChecks())).toEqual([]);
  });

  it('providers: latency, failures and fallbacks match the calls; headroom and settings equal the control plane', async () => {
    providerStates = (await stack.api<{ providers: typeof providerStates }>('GET', '/api/v1/providers', undefined, 'read')).providers;
    expect(await check('tokenmeter-providers', { provider: '.*' }, providerChecks())).toEqual([]);
  });

  it('anomalies: the spike names the directory\'s department, unpriced calls are counted from their first one, the ledger anomaly equals the API and the ledger', async () => {
    await readLedgerAnomalies();
    const hourEnd = monitorHourEndMs;
    // The backfilled runaway hour is a cost spike of every subject it belongs to, of the size the ledger says.
    for (const { scope, subject } of BACKFILL_SUBJECTS) {
      const a = ledgerAnomalies.get(anomalyKey({ scope, subject, metric: 'cost', kind: 'spike', direction: 'up' }));
      expect(a, `${scope} ${subject}: the API reports no spike (have ${[...ledgerAnomalies.keys()].join('; ')})`).toBeDefined();
      expect(a!.score).toBeGreaterThanOrEqual(5);
      expect(Math.abs(a!.impactUsd - ledgerImpact(a!, hourEnd)), `${scope} ${subject}: impact ${a!.impactUsd} USD`).toBeLessThanOrEqual(IMPACT.absolute);
      expect(a!.impactUsd).toBeGreaterThan(50);
    }
    expect(await check('tokenmeter-anomalies', {}, anomalyChecks())).toEqual([]);
  });

  it('a copy of the anomalies dashboard with a wrong label fails: the ledger anomalies lose their subject or kind, the alerts miss the ledger anomaly rule', async () => {
    await readLedgerAnomalies();
    const copy = JSON.parse(JSON.stringify(byUid('tokenmeter-anomalies'))) as Dashboard;
    const panel = (title: string) => copy.panels.find((p) => p.title === title)!;
    const current = panel('Ledger anomalies (last complete UTC hour)').targets[0]!;
    current.expr = current.expr.replace('scope, subject,', 'scope, subjects,');
    const found = panel('Ledger anomalies found (last 24 h)').targets[0]!;
    found.expr = found.expr.replace('metric, kind)', 'metric, type)');
    const firing = panel('Anomaly alerts firing').targets[0]!;
    firing.expr = firing.expr.replace('|TokenmeterLedgerAnomaly', '');
    const problems = await check('tokenmeter-anomalies', {}, anomalyChecks(), copy);
    const department = `department / ${BACKFILL.department}`;
    expect(problems.some((p) => p.startsWith(`tokenmeter-anomalies / Ledger anomalies (last complete UTC hour): anomaly impact (USD) against the API: no series for ${department} / cost / spike / up`)), problems.join('\n')).toBe(true);
    expect(problems.some((p) => p.startsWith(`tokenmeter-anomalies / Ledger anomalies found (last 24 h): anomalies found: no series for ${department} / cost / spike`)), problems.join('\n')).toBe(true);
    expect(problems.some((p) => p.startsWith('tokenmeter-anomalies / Anomaly alerts firing: firing anomaly alerts:')), problems.join('\n')).toBe(true);
    // Nothing else is reported: the same checks pass on the shipped dashboard (the test above).
    expect(problems.filter((p) => !/\/ (Ledger anomalies \(last complete UTC hour\)|Ledger anomalies found \(last 24 h\)|Anomaly alerts firing):/.test(p))).toEqual([]);
  });

  it('a copy of the overview with a wrong label fails: a misspelt matcher empties a panel, a wrong grouping label loses the departments', async () => {
    await readQuotaStatus();
    const copy = JSON.parse(JSON.stringify(byUid('tokenmeter-overview'))) as Dashboard;
    const panel = (title: string) => copy.panels.find((p) => p.title === title)!;
    panel('Cost today').targets[0]!.expr = panel('Cost today').targets[0]!.expr.replace('scope="department"', 'scope="departement"');
    panel('Cost rate by department (USD/h)').targets[0]!.expr = panel('Cost rate by department (USD/h)').targets[0]!.expr.replaceAll('tokenmeter_department', 'tokenmeter_dept');
    panel('Calls today').targets[0]!.expr = panel('Calls today').targets[0]!.expr.replace('period="day"', 'period="today"');
    const problems = await check('tokenmeter-overview', { department: '.*' }, overviewChecks('.*'), copy);
    expect(problems.some((p) => p.startsWith('tokenmeter-overview / Cost today [A]: the query returned nothing'))).toBe(true);
    expect(problems.some((p) => p.startsWith('tokenmeter-overview / Calls today [A]: the query returned nothing'))).toBe(true);
    expect(problems.some((p) => p.startsWith('tokenmeter-overview / Cost rate by department (USD/h): USD/h by department: no series for research'))).toBe(true);
    // Nothing else is reported: the same checks pass on the shipped dashboard (the tests above).
    expect(problems.filter((p) => !/\/ (Cost today|Calls today|Cost rate by department \(USD\/h\))/.test(p))).toEqual([]);
  });
});
