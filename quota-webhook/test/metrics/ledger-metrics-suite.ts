/**
 * `/metrics` ledger families, for both stores: exact period totals per scope
 * subject in the quotas' time zones, unpriced calls, the month-end projection,
 * the directory info metric and the provider gauges, each compared with the
 * ledger's own answer (`GET /api/v1/usage`), plus the cardinality cap and
 * `promtool check metrics`. Run by ledger-metrics.e2e.test.ts (SQLite) and
 * ledger-metrics.postgres.e2e.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { parseUsd } from '@tokenmeter/instrumentation/pricing';
import { findBinary } from '@tokenmeter/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/index.js';
import { runRateMonthEnd } from '../../src/metrics/month-end.js';
import { record, startTestServer, type TestServer } from '../helpers.js';
import { parseExposition, type Exposition } from '../support/exposition.js';

// Sunday 2026-03-15 12:30 UTC = 13:30 in Berlin (CET, UTC+1; summer time starts on the 29th).
const NOW = Date.parse('2026-03-15T12:30:00Z');
const BERLIN = {
  hour: ['2026-03-15T12:00:00Z', '2026-03-15T13:00:00Z'],
  day: ['2026-03-14T23:00:00Z', '2026-03-15T23:00:00Z'],
  week: ['2026-03-08T23:00:00Z', '2026-03-15T23:00:00Z'],
  month: ['2026-02-28T23:00:00Z', '2026-03-31T22:00:00Z'],
} as const;
type Period = keyof typeof BERLIN;
const PERIODS = Object.keys(BERLIN) as Period[];
const SCOPE_GROUP = { org: 'org', department: 'department', user: 'user', feature: 'feature', provider: 'provider' } as const;

export interface LedgerMetricsSuiteOptions {
  kind: 'sqlite' | 'postgres';
  /** A fresh database's config for each test. */
  fresh(): Promise<Partial<Config>>;
}

export function defineLedgerMetricsSuite(options: LedgerMetricsSuiteOptions): void {
  let s: TestServer | undefined;
  const serve = async (config: Partial<Config> = {}): Promise<TestServer> => (s = await startTestServer({ now: NOW, config: { ...(await options.fresh()), ...config } }));
  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  async function scrape(t: TestServer): Promise<{ text: string; m: Exposition }> {
    const res = await t.call('GET', '/metrics', { token: null });
    const text = await res.text();
    expect(res.status, text.slice(0, 2000)).toBe(200);
    return { text, m: parseExposition(text) };
  }

  /** The sample value exactly as written (the exact decimal for money). */
  function rawValue(text: string, name: string, labels: Record<string, string>): string {
    const head = `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}} `;
    const line = text.split('\n').find((l) => l.startsWith(head));
    if (line === undefined) throw new Error(`no sample ${head}`);
    return line.slice(head.length);
  }

  interface LedgerGroup { key: string | null; requests: number; tokens: { total: number }; cost_usd: string; unpriced_requests: number }

  async function ledgerGroups(t: TestServer, groupBy: string, [from, to]: readonly [string, string]): Promise<LedgerGroup[]> {
    const res = await t.json('GET', `/api/v1/usage?group_by=${groupBy}&from=${from}&to=${to}&limit=10000`, undefined, 'read');
    expect(res.status).toBe(200);
    return res.body.groups as LedgerGroup[];
  }

  async function setUp(t: TestServer, options: { quotaZone?: string } = {}): Promise<void> {
    for (const [user, entry] of Object.entries({ alice: { department: 'research', org: 'acme' }, dave: { department: 'sales', org: 'beta' }, frank: { org: 'acme' } })) {
      expect((await t.json('PUT', `/api/v1/directory/users/${user}`, entry)).status).toBe(200);
    }
    if (options.quotaZone !== undefined) {
      const q = { id: 'research-month', scope: 'department', subject: 'research', metric: 'cost', period: 'month', timezone: options.quotaZone, limit: 10 };
      expect((await t.json('POST', '/api/v1/quotas', q)).status).toBe(201);
    }
    const res = await t.json('POST', '/api/v1/usage', {
      records: [
        record({ user: 'alice', feature: 'search', time: '2026-03-15T12:05:00Z' }), // department and org from the directory
        record({ user: 'bob', department: 'research', org: 'acme', feature: 'search', time: '2026-03-15T12:10:00Z' }),
        record({ user: 'bob', department: 'research', org: 'acme', time: '2026-03-02T09:00:00Z' }),
        record({ user: 'carol', org: 'acme', time: '2026-03-15T08:00:00Z', request_model: 'mystery-model' }), // unpriced, no department
        record({ user: 'dave', feature: 'summarize', provider: 'anthropic', request_model: 'claude-sonnet-4-5', time: '2026-03-15T11:00:00Z' }),
        record({ user: 'frank', time: '2026-03-10T10:00:00Z', request_model: 'mystery-model' }),
        record({ time: '2026-03-14T23:30:00Z' }), // no user: Berlin's Sunday, UTC's Saturday
      ],
    }, 'ingest');
    expect(res.body.accepted).toBe(7);
  }

  describe(`/metrics ledger period totals (${options.kind})`, () => {
    it('equal the ledger for every scope, subject and calendar period in the quotas\' zone; each scope sums exactly to "all"', async () => {
      const t = await serve();
      await setUp(t, { quotaZone: 'Europe/Berlin' });
      const { text, m } = await scrape(t);
      expect(new Set(m.find('tokenmeter_period_cost_usd').map((x) => x.labels.timezone))).toEqual(new Set(['Europe/Berlin']));
      let compared = 0;
      for (const period of PERIODS) {
        const labels = (scope: string, subject: string) => ({ period, timezone: 'Europe/Berlin', scope, subject });
        const all = (await ledgerGroups(t, 'provider', BERLIN[period])).reduce((a, g) => ({ requests: a.requests + g.requests, tokens: a.tokens + g.tokens.total, cost: a.cost + parseUsd(g.cost_usd) }), { requests: 0, tokens: 0, cost: 0n });
        expect(parseUsd(rawValue(text, 'tokenmeter_period_cost_usd', labels('all', '*')))).toBe(all.cost);
        expect(Number(rawValue(text, 'tokenmeter_period_requests', labels('all', '*')))).toBe(all.requests);
        expect(Number(rawValue(text, 'tokenmeter_period_tokens', labels('all', '*')))).toBe(all.tokens);
        for (const [scope, groupBy] of Object.entries(SCOPE_GROUP)) {
          const exported = m.find('tokenmeter_period_cost_usd', { period, timezone: 'Europe/Berlin', scope });
          if (scope === 'user' && (period === 'hour' || period === 'week')) {
            expect(exported, `${scope} ${period}`).toEqual([]);
            continue;
          }
          const groups = await ledgerGroups(t, groupBy, BERLIN[period]);
          expect(exported.map((x) => x.labels.subject).sort(), `${scope} ${period}`).toEqual(groups.map((g) => g.key ?? '(none)').sort());
          let sum = 0n;
          for (const g of groups) {
            const subject = g.key ?? '(none)';
            const cost = rawValue(text, 'tokenmeter_period_cost_usd', labels(scope, subject));
            expect(cost, `${scope} ${subject} ${period}`).toBe(g.cost_usd);
            if (scope !== 'user') {
              expect(Number(rawValue(text, 'tokenmeter_period_requests', labels(scope, subject)))).toBe(g.requests);
              expect(Number(rawValue(text, 'tokenmeter_period_tokens', labels(scope, subject)))).toBe(g.tokens.total);
            }
            sum += parseUsd(cost);
            compared++;
          }
          expect(sum, `${scope} ${period} sums to all`).toBe(all.cost);
        }
      }
      expect(compared).toBeGreaterThan(40);
      // Spot checks the comparison cannot hide: alice counts in research through the directory, the no-user call in Berlin's day.
      expect(m.one('tokenmeter_period_requests', { period: 'day', scope: 'department', subject: 'research' }).value).toBe(2);
      expect(m.one('tokenmeter_period_requests', { period: 'day', scope: 'feature', subject: '(none)' }).value).toBe(2);
      expect(m.one('tokenmeter_period_cost_usd', { period: 'day', scope: 'user', subject: '(none)' }).value).toBe(0.0075);
      // Users carry only their cost (calls and tokens per user are the quotas' business).
      expect(m.find('tokenmeter_period_requests', { scope: 'user' })).toEqual([]);
      expect(m.find('tokenmeter_period_tokens', { scope: 'user' })).toEqual([]);
      expect(m.one('tokenmeter_period_requests', { period: 'month', scope: 'all' }).value).toBe(7);
    });

    it('follow the zones the quotas and budgets use (UTC when there are none), and the clock', async () => {
      const t = await serve();
      await setUp(t);
      let { m } = await scrape(t);
      expect(new Set(m.find('tokenmeter_period_cost_usd').map((x) => x.labels.timezone))).toEqual(new Set(['UTC']));
      // UTC's Sunday does not hold the 23:30 call of Saturday.
      expect(m.one('tokenmeter_period_requests', { period: 'day', timezone: 'UTC', scope: 'all' }).value).toBe(4);
      await t.json('POST', '/api/v1/budgets', { id: 'budget-tokyo', scope: 'org', subject: 'acme', amount: 5, period: 'month', timezone: 'Asia/Tokyo' });
      await t.json('POST', '/api/v1/quotas', { scope: 'user', subject: '*', metric: 'requests', period: 'day', timezone: 'UTC', limit: 10 });
      ({ m } = await scrape(t));
      expect(new Set(m.find('tokenmeter_period_cost_usd').map((x) => x.labels.timezone))).toEqual(new Set(['UTC', 'Asia/Tokyo']));
      // Tokyo's Sunday began at 15:00 UTC on Saturday: every call from then on.
      expect(m.one('tokenmeter_period_requests', { period: 'day', timezone: 'Asia/Tokyo', scope: 'all' }).value).toBe(5);
      // A new UTC day: the day windows start at zero (scope "all" is always there), the month keeps counting.
      t.clock.now = Date.parse('2026-03-16T00:10:00Z');
      ({ m } = await scrape(t));
      expect(m.one('tokenmeter_period_requests', { period: 'day', timezone: 'UTC', scope: 'all' }).value).toBe(0);
      expect(m.find('tokenmeter_period_requests', { period: 'day', timezone: 'UTC', scope: 'department' })).toEqual([]);
      expect(m.one('tokenmeter_period_requests', { period: 'month', timezone: 'UTC', scope: 'all' }).value).toBe(7);
    });

    it('cap each scope at TOKENMETER_METRICS_MAX_SUBJECTS: the costliest stay, the rest sum into "(other)"', async () => {
      const t = await serve({ metricsMaxSubjects: 1 });
      await setUp(t, { quotaZone: 'Europe/Berlin' });
      const { text, m } = await scrape(t);
      const month = (scope: string) => m.find('tokenmeter_period_cost_usd', { period: 'month', scope }).map((x) => x.labels.subject);
      // research (3 priced calls) beats sales (1): kept; sales folded; calls without a department stay "(none)".
      expect(month('department')).toEqual(['research', '(other)', '(none)']);
      const groups = await ledgerGroups(t, 'department', BERLIN.month);
      const cost = (subject: string) => rawValue(text, 'tokenmeter_period_cost_usd', { period: 'month', timezone: 'Europe/Berlin', scope: 'department', subject });
      expect(cost('(other)')).toBe(groups.find((g) => g.key === 'sales')?.cost_usd);
      expect(month('user')).toHaveLength(3); // one user, "(other)", "(none)"
      expect(m.find('tokenmeter_period_cost_usd', { scope: 'user', subject: '(other)' })).toHaveLength(2);
    });
  });

  describe(`/metrics unpriced calls (${options.kind})`, () => {
    it('count the ledger\'s calls without a price (all, per department with "(none)", per model) and follow a re-pricing', async () => {
      const t = await serve();
      await setUp(t, { quotaZone: 'Europe/Berlin' });
      let { m } = await scrape(t);
      const unpriced = (period: string, scope: string, subject: string) => m.find('tokenmeter_period_unpriced_requests', { period, timezone: 'Europe/Berlin', scope, subject }).map((x) => x.value);
      expect(unpriced('month', 'all', '*')).toEqual([2]);
      expect(unpriced('day', 'all', '*')).toEqual([1]);
      expect(unpriced('hour', 'all', '*')).toEqual([0]);
      expect(unpriced('month', 'department', '(none)')).toEqual([2]);
      // A department with calls, all priced: 0, not absent (a dashboard filtered to it shows 0).
      expect(unpriced('month', 'department', 'research')).toEqual([0]);
      expect(unpriced('hour', 'department', 'research')).toEqual([0]);
      expect(unpriced('month', 'model', 'mystery-model')).toEqual([2]);
      expect(m.find('tokenmeter_period_unpriced_requests', { scope: 'model', subject: 'gpt-4o' })).toEqual([]);
      const ledger = (await ledgerGroups(t, 'model', BERLIN.month)).find((g) => g.key === 'mystery-model');
      expect(ledger?.unpriced_requests).toBe(2);
      // A price for the model and a re-pricing of March: no call is unpriced any more, and the cost counts.
      expect((await t.json('POST', '/api/v1/prices', { provider: 'openai', model_pattern: 'mystery-model', effective_from: '2026-01-01', prices: { input: '1', output: '2' } })).status).toBe(201);
      expect((await t.json('POST', '/api/v1/prices/reprice', { from: '2026-03-01', to: '2026-04-01', reason: 'price added' })).body.changed).toBe(2);
      ({ m } = await scrape(t));
      expect(unpriced('month', 'all', '*')).toEqual([0]);
      expect(m.find('tokenmeter_period_unpriced_requests', { scope: 'model' })).toEqual([]);
      expect(m.one('tokenmeter_period_cost_usd', { period: 'month', scope: 'user', subject: 'carol' }).value).toBe(0.002);
    });
  });

  describe(`/metrics month-end projection (${options.kind})`, () => {
    it('is the run rate of the month-to-date, exact, per scope subject but not per user, with method="run_rate"', async () => {
      const t = await serve();
      await setUp(t, { quotaZone: 'Europe/Berlin' });
      const { text, m } = await scrape(t);
      const start = Date.parse(BERLIN.month[0]);
      const end = Date.parse(BERLIN.month[1]);
      const research = parseUsd(rawValue(text, 'tokenmeter_period_cost_usd', { period: 'month', timezone: 'Europe/Berlin', scope: 'department', subject: 'research' }));
      const expected = (research * BigInt(end - start)) / BigInt(NOW - start);
      expect(parseUsd(rawValue(text, 'tokenmeter_projected_month_end_cost_usd', { timezone: 'Europe/Berlin', scope: 'department', subject: 'research', method: 'run_rate' }))).toBe(expected);
      expect(m.find('tokenmeter_projected_month_end_cost_usd', { scope: 'user' })).toEqual([]);
      expect(new Set(m.find('tokenmeter_projected_month_end_cost_usd').map((x) => x.labels.scope))).toEqual(new Set(['all', 'org', 'department', 'feature', 'provider']));
    });

    it('also exports the forecast endpoint\'s month end (method="forecast", with its 80 % bounds), computed in the background at most once a minute', async () => {
      const t = await serve();
      await setUp(t, { quotaZone: 'Europe/Berlin' });
      // Eight weeks of research usage with a weekly cycle, so the forecaster has a history to model.
      const history = [];
      for (let d = 0; d < 56; d++) {
        const day = Date.parse('2026-01-18T09:00:00Z') + d * 86_400_000;
        const weekday = new Date(day).getUTCDay();
        history.push(record({ user: 'bob', department: 'research', org: 'acme', time: new Date(day).toISOString(), tokens: { input: weekday === 0 || weekday === 6 ? 2000 : 20_000 + 500 * d, output: 1000 } }));
      }
      expect((await t.json('POST', '/api/v1/usage', { records: history }, 'ingest')).body.accepted).toBe(56);
      const forecastOf = async (query: string, asOf: number) => {
        const res = await t.json('GET', `/api/v1/analytics/forecast?${query}&tz=Europe/Berlin&as_of=${new Date(asOf).toISOString()}`, undefined, 'read');
        expect(res.status).toBe(200);
        const e = res.body.month_end as { expected_usd: string; lower_80_usd: string; upper_80_usd: string };
        return { expected_usd: e.expected_usd, lower_80_usd: e.lower_80_usd, upper_80_usd: e.upper_80_usd };
      };
      const research = { timezone: 'Europe/Berlin', scope: 'department', subject: 'research', method: 'forecast' };
      const gauges = (text: string, labels: Record<string, string>) => ({
        expected_usd: rawValue(text, 'tokenmeter_projected_month_end_cost_usd', labels),
        lower_80_usd: rawValue(text, 'tokenmeter_projected_month_end_cost_lower_80_usd', labels),
        upper_80_usd: rawValue(text, 'tokenmeter_projected_month_end_cost_upper_80_usd', labels),
      });
      /** The instant the published figures were computed at, as /metrics says. */
      const computedAt = (m: Exposition): number => Math.round(m.one('tokenmeter_month_end_forecast_timestamp_seconds').value * 1000);
      const forecast = t.cp.monthEndForecast;

      // The first scrape starts the computation and does not wait for it: the forecast series come once it is done.
      const before = await scrape(t);
      expect(before.m.find('tokenmeter_projected_month_end_cost_usd', { method: 'run_rate' }).length).toBeGreaterThan(5);
      await forecast.settled();
      const firstScrape = await scrape(t);
      const m = firstScrape.m;
      let text = firstScrape.text;
      expect(computedAt(m)).toBe(NOW);
      expect(m.one('tokenmeter_month_end_forecast_runs_total', { result: 'completed' }).value).toBe(1);
      expect(m.one('tokenmeter_month_end_forecast_runs_total', { result: 'failed' }).value).toBe(0);
      const first = await forecastOf('scope=department&subject=research', NOW);
      expect(gauges(text, research)).toEqual(first);
      expect(parseUsd(first.lower_80_usd) < parseUsd(first.expected_usd) && parseUsd(first.expected_usd) < parseUsd(first.upper_80_usd)).toBe(true);
      // The month end does not depend on the horizon asked for.
      expect(await forecastOf('scope=department&subject=research&horizon=40d', NOW)).toEqual(first);
      expect(gauges(text, { ...research, scope: 'all', subject: '*' })).toEqual(await forecastOf('', NOW));
      expect(gauges(text, { ...research, scope: 'org', subject: 'acme' })).toEqual(await forecastOf('scope=org&subject=acme', NOW));
      // Every subject the run rate projects has a forecast too (all under the cap), except the "(none)" and "(other)" buckets; the run rate stays.
      const key = (x: { labels: Record<string, string> }): string => `${x.labels.scope}/${x.labels.subject}`;
      const runRate = m.find('tokenmeter_projected_month_end_cost_usd', { method: 'run_rate' }).map(key).filter((k) => !k.endsWith('/(none)'));
      expect(m.find('tokenmeter_projected_month_end_cost_usd', { method: 'forecast' }).map(key).sort()).toEqual(runRate.sort());
      expect(m.one('tokenmeter_month_end_forecast_subjects').value).toBe(runRate.length);
      expect(rawValue(text, 'tokenmeter_projected_month_end_cost_usd', { ...research, method: 'run_rate' })).not.toBe(first.expected_usd);

      // New spend 30 s later: the run rate moves at once, the forecast is kept (a minute has not passed): nothing recomputed.
      const spend = record({ user: 'bob', department: 'research', org: 'acme', time: new Date(NOW + 10_000).toISOString(), tokens: { input: 400_000, output: 50_000 } });
      expect((await t.json('POST', '/api/v1/usage', { records: [spend] }, 'ingest')).body.accepted).toBe(1);
      t.clock.now = NOW + 30_000;
      const runRateBefore = rawValue(text, 'tokenmeter_projected_month_end_cost_usd', { ...research, method: 'run_rate' });
      ({ text } = await scrape(t));
      expect(forecast.computing).toBe(false);
      expect(rawValue(text, 'tokenmeter_projected_month_end_cost_usd', { ...research, method: 'run_rate' })).not.toBe(runRateBefore);
      expect(gauges(text, research)).toEqual(first);

      // A minute after the first computation, with the ledger changed: the scrape that sees it still answers the
      // figures it has and starts a recomputation, whose figures are the endpoint's at that instant.
      const later = NOW + 61_000;
      t.clock.now = later;
      ({ text } = await scrape(t));
      expect(gauges(text, research)).toEqual(first);
      await forecast.settled();
      let scraped = await scrape(t);
      expect(computedAt(scraped.m)).toBe(later);
      const second = await forecastOf('scope=department&subject=research', later);
      expect(parseUsd(second.expected_usd)).toBeGreaterThan(parseUsd(first.expected_usd));
      expect(gauges(scraped.text, research)).toEqual(second);
      expect(forecast.stats.completed).toBe(2);

      // Nothing new for two minutes: kept (no computation starts); after 15 minutes it follows the time of day again.
      t.clock.now = later + 120_000;
      scraped = await scrape(t);
      expect(forecast.computing).toBe(false);
      expect(gauges(scraped.text, research)).toEqual(second);
      t.clock.now = later + 15 * 60_000;
      await scrape(t);
      await forecast.settled();
      scraped = await scrape(t);
      expect(computedAt(scraped.m)).toBe(later + 15 * 60_000);
      expect(gauges(scraped.text, research)).toEqual(await forecastOf('scope=department&subject=research', later + 15 * 60_000));
      expect(forecast.stats).toMatchObject({ completed: 3, failed: 0 });

      // A new month (no spend in it yet but scope "all"): last month's figures are not this month's; the series wait
      // for the new month's computation.
      const april = Date.parse('2026-04-01T08:00:00Z');
      t.clock.now = april;
      scraped = await scrape(t);
      expect(scraped.m.find('tokenmeter_projected_month_end_cost_usd', { method: 'forecast' })).toEqual([]);
      await forecast.settled();
      scraped = await scrape(t);
      expect(computedAt(scraped.m)).toBe(april);
      expect(gauges(scraped.text, { ...research, scope: 'all', subject: '*' })).toEqual(await forecastOf('', april));
    });

    it('with only a few calls from today (a new deployment): the forecast is today\'s run rate, named, with a wide interval, on the API and /metrics', async () => {
      const t = await serve();
      const calls = ['2026-03-15T09:10:00Z', '2026-03-15T10:20:00Z', '2026-03-15T12:05:00Z'];
      expect((await t.json('POST', '/api/v1/usage', { records: calls.map((time) => record({ department: 'research', time })) }, 'ingest')).body.accepted).toBe(3);
      const get = async (path: string) => {
        const res = await t.json('GET', `/api/v1/analytics/${path}`, undefined, 'read');
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        return res.body;
      };
      const usd = (s: string): number => Number(s);
      const f = await get('forecast');
      const mtd = usd(f.month_to_date_usd);
      expect(mtd).toBeGreaterThan(0);
      expect(f).toMatchObject({ method: 'today_run_rate', history_seen: { days: 0, from: null }, today_so_far_usd: f.month_to_date_usd });
      expect(f.method_detail).toMatch(/^no complete day of usage yet/);
      // Today's rate since the start of the first call's hour (09:00 UTC; 3.5 h to 12:30) until the month's end (16 days 11.5 h on).
      const hours = 3.5;
      const left = (Date.parse('2026-04-01T00:00:00Z') - NOW) / 3_600_000;
      const e = f.month_end;
      expect(usd(e.expected_usd)).toBeCloseTo(mtd * (1 + left / hours), 5);
      expect(usd(f.daily[1].expected_usd)).toBeCloseTo((mtd / hours) * 24, 5);
      // Honest about how little it knows: month-to-date is spent, the rest known to a factor of about 3 at 80 %.
      expect(mtd).toBeLessThan(usd(e.lower_95_usd));
      expect(usd(e.lower_95_usd)).toBeLessThan(usd(e.lower_80_usd));
      expect(usd(e.lower_80_usd)).toBeLessThan(usd(e.expected_usd));
      expect(usd(e.expected_usd)).toBeLessThan(usd(e.upper_80_usd));
      expect(usd(e.upper_80_usd)).toBeLessThan(usd(e.upper_95_usd));
      expect((usd(e.upper_80_usd) - mtd) / (usd(e.expected_usd) - mtd)).toBeGreaterThan(2);
      // A subject alone, the same way; a first call a moment ago is read over at least an hour.
      const research = await get('forecast?scope=department&subject=research');
      expect(research.method).toBe('today_run_rate');
      expect(research.month_end).toEqual(e);
      const early = await get(`forecast?as_of=${encodeURIComponent('2026-03-15T09:15:00Z')}`);
      const first = usd(early.month_to_date_usd);
      expect(early.method).toBe('today_run_rate');
      expect(usd(early.month_end.expected_usd)).toBeCloseTo(first * (1 + (Date.parse('2026-04-01T00:00:00Z') - Date.parse('2026-03-15T09:15:00Z')) / 3_600_000), 5);

      // The summary says the same.
      const summary = await get('summary');
      expect(summary).toMatchObject({ method: 'today_run_rate', month_to_date_usd: f.month_to_date_usd, projected_month_end: { expected_usd: e.expected_usd, lower_80_usd: e.lower_80_usd, upper_80_usd: e.upper_80_usd } });

      // /metrics: the forecast gauge (once computed) is the endpoint's month end, above month-to-date.
      await scrape(t);
      await t.cp.monthEndForecast.settled();
      const { text } = await scrape(t);
      const all = { timezone: 'UTC', scope: 'all', subject: '*', method: 'forecast' };
      expect(rawValue(text, 'tokenmeter_projected_month_end_cost_usd', all)).toBe(e.expected_usd);
      expect(rawValue(text, 'tokenmeter_projected_month_end_cost_lower_80_usd', all)).toBe(e.lower_80_usd);
      expect(rawValue(text, 'tokenmeter_projected_month_end_cost_upper_80_usd', all)).toBe(e.upper_80_usd);
      expect(usd(rawValue(text, 'tokenmeter_projected_month_end_cost_usd', { ...all, scope: 'department', subject: 'research' }))).toBeGreaterThan(mtd);
    });

    it('keeps the month-to-date at the month\'s edges', () => {
      const base = { scope: 'all' as const, subject: '*', timezone: 'UTC', month_start_ms: 0, month_end_ms: 1000, month_to_date_pico: 7n };
      expect(runRateMonthEnd({ ...base, now_ms: 0 })).toEqual({ expected_pico: 7n, method: 'run_rate' });
      expect(runRateMonthEnd({ ...base, now_ms: 250 })).toEqual({ expected_pico: 28n, method: 'run_rate' });
      expect(runRateMonthEnd({ ...base, now_ms: 5000 })).toEqual({ expected_pico: 7n, method: 'run_rate' });
    });
  });

  describe(`/metrics directory and providers (${options.kind})`, () => {
    it('exports one directory info series per user, leaving out a missing department or org, and passes promtool check metrics', async () => {
      const t = await serve();
      await setUp(t);
      const odd = 'r&d "labs"\\ünï';
      await t.json('PUT', '/api/v1/directory/users/zoe', { department: odd });
      const { text, m } = await scrape(t);
      expect(m.find('tokenmeter_directory_info').map((x) => x.labels).sort((a, b) => (a.user_id! < b.user_id! ? -1 : 1))).toEqual([
        { user_id: 'alice', tokenmeter_department: 'research', tokenmeter_org: 'acme' },
        { user_id: 'dave', tokenmeter_department: 'sales', tokenmeter_org: 'beta' },
        { user_id: 'frank', tokenmeter_org: 'acme' },
        { user_id: 'zoe', tokenmeter_department: odd },
      ]);
      expect(m.find('tokenmeter_directory_info').every((x) => x.value === 1)).toBe(true);
      expect(m.type.get('tokenmeter_directory_info')).toBe('gauge');
      await t.call('DELETE', '/api/v1/directory/users/zoe');
      expect((await scrape(t)).m.find('tokenmeter_directory_info', { user_id: 'zoe' })).toEqual([]);
      execFileSync(findBinary(['promtool'], 'prometheus'), ['check', 'metrics'], { input: text, stdio: ['pipe', 'pipe', 'pipe'] });
    });

    it('exports each provider\'s enabled flag, priority, limits and exact UTC hour/day usage per org', async () => {
      const t = await serve();
      await setUp(t);
      await t.json('PUT', '/api/v1/providers/acme/openai', { enabled: true, priority: 1, limits: { hourly_requests: 100, daily_tokens: 50_000 } });
      await t.json('PUT', '/api/v1/providers/*/anthropic', { enabled: false, priority: 2 });
      const { m } = await scrape(t);
      const acme = { tokenmeter_org: 'acme', gen_ai_provider_name: 'openai' };
      expect(m.one('tokenmeter_provider_enabled', acme).value).toBe(1);
      expect(m.one('tokenmeter_provider_priority', acme).value).toBe(1);
      expect(m.one('tokenmeter_provider_enabled', { tokenmeter_org: '*', gen_ai_provider_name: 'anthropic' }).value).toBe(0);
      expect(m.find('tokenmeter_provider_limit', acme).map((x) => [x.labels.period, x.labels.metric, x.value])).toEqual([['hour', 'requests', 100], ['day', 'tokens', 50_000]]);
      // The same figures as the providers API, which reads the running totals of the UTC hour and day.
      const state = (await t.json('GET', '/api/v1/providers', undefined, 'read')).body.providers.find((p: { org: string; provider: string }) => p.org === 'acme' && p.provider === 'openai');
      expect(m.one('tokenmeter_provider_usage', { ...acme, period: 'hour', metric: 'requests' }).value).toBe(state.usage.hour_requests);
      expect(m.one('tokenmeter_provider_usage', { ...acme, period: 'day', metric: 'tokens' }).value).toBe(state.usage.day_tokens);
      expect(state.usage.hour_requests).toBe(2);
    });
  });
}
