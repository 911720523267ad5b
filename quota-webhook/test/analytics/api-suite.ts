/**
 * The analytics endpoints through HTTP on a real store (SQLite or
 * Postgres), with every record ingested through `POST /api/v1/usage`:
 * four months of backfilled hourly usage, a one-day subject, a subject with
 * none, an injected spike and an error surge, budgets (one already crossed).
 * Expected figures are counted from the very records that were sent.
 */
import { formatUsd } from '@tokenmeter/instrumentation/pricing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anomaliesResponse, forecastResponse, summaryResponse } from '../../src/api/analytics.js';
import type { Config } from '../../src/index.js';
import { record, startTestServer, type TestServer } from '../helpers.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.parse('2026-04-02T10:15:00Z');
const SPIKE_HOUR = Date.parse('2026-04-01T14:00:00Z');
const SURGE_HOUR = Date.parse('2026-03-31T10:00:00Z');

type Wire = Record<string, unknown> & { time: string };

/** Records per UTC hour: 3 in office hours on weekdays, 1 otherwise (× scale). */
function perHour(t: number, scale: number): number {
  const d = new Date(t);
  const weekday = (d.getUTCDay() + 6) % 7 < 5;
  const office = d.getUTCHours() >= 8 && d.getUTCHours() < 18;
  return (weekday && office ? 3 : 1) * scale;
}

function hourly(department: string, from: number, to: number, scale = 1): Wire[] {
  const out: Wire[] = [];
  const users = ['alice', 'bob', 'carol'];
  for (let t = from; t < to; t += HOUR) {
    for (let i = 0; i < perHour(t, scale); i++) {
      out.push(record({
        time: new Date(t + i * 60_000 + 30_000).toISOString(), department, user: `${department}-${users[i % 3]}`,
        feature: i % 2 === 0 ? 'chat' : 'search', session: `s-${department}-${Math.floor(t / DAY)}`,
      }) as Wire);
    }
  }
  return out;
}

const count = (list: readonly Wire[], from: number, to: number, pred: (r: Wire) => boolean = () => true): number =>
  list.filter((r) => Date.parse(r.time) >= from && Date.parse(r.time) < to && pred(r)).length;

export function defineAnalyticsSuite(kind: string, config: () => Promise<Partial<Config>>): void {
  describe(`analytics API over HTTP (${kind})`, () => {
    let s: TestServer;
    /** Cost of one standard record (the ledger prices it; read back once). */
    let unit: bigint;
    const research = hourly('research', Date.parse('2025-12-01T00:00:00Z'), NOW);
    const sales = hourly('sales', Date.parse('2026-01-05T00:00:00Z'), NOW);
    const frozen = hourly('frozen', Date.parse('2026-01-05T00:00:00Z'), NOW);
    const spike = Array.from({ length: 40 }, (_, i) => record({ time: new Date(SPIKE_HOUR + i * 60_000).toISOString(), department: 'research', user: 'mallory', feature: 'batch' }) as Wire);
    const surge = Array.from({ length: 30 }, (_, i) => record({
      time: new Date(SURGE_HOUR + i * 60_000).toISOString(), department: 'research', user: 'research-bob', feature: 'chat', outcome: 'error', error_type: '503',
      tokens: { input: 0, output: 0, cache_read: 0, cache_write: 0, reasoning: 0 },
    }) as Wire);
    const newbie = Array.from({ length: 6 }, (_, i) => record({ time: new Date(Date.parse('2026-04-01T09:00:00Z') + i * HOUR).toISOString(), department: 'lab', user: 'newbie' }) as Wire);
    const researchAll = [...research, ...spike];

    async function ingest(list: readonly Wire[]): Promise<void> {
      for (let i = 0; i < list.length; i += 5000) {
        const r = await s.json('POST', '/api/v1/usage', { records: list.slice(i, i + 5000) }, 'ingest');
        expect(r.status, JSON.stringify(r.body)).toBe(200);
      }
    }

    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers are inspected ad hoc
    async function get(path: string): Promise<any> {
      const r = await s.json('GET', `/api/v1/analytics/${path}`, undefined, 'read');
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      // An endpoint that declares its answer's shape (OpenAPI) answers in it.
      const declared = ({ summary: summaryResponse, forecast: forecastResponse, anomalies: anomaliesResponse } as const)[path.split('?')[0] as 'summary'];
      if (declared) {
        const checked = declared.safeParse(r.body);
        expect(checked.success ? [] : checked.error.issues, path).toEqual([]);
      }
      return r.body;
    }

    const usd = (n: number): string => formatUsd(unit * BigInt(n));

    beforeAll(async () => {
      s = await startTestServer({ now: NOW, config: await config() });
      // Backfill of past months, out of time order, through the ingest API.
      await ingest([...sales].reverse());
      await ingest([...research, ...spike, ...surge, ...newbie, ...frozen]);
      const one = await s.json('GET', `/api/v1/usage?department=lab&limit=1`, undefined, 'read');
      unit = BigInt(Math.round(Number(one.body.records[0].cost_usd) * 1e12));
      expect(unit > 0n).toBe(true);
      for (const b of [
        { id: 'budget-sales-tiny', name: 'Sales pilot', scope: 'department', subject: 'sales', amount: 0.2, period: 'month', timezone: 'UTC' },
        { id: 'budget-research-big', scope: 'department', subject: 'research', amount: 100_000, period: 'month', timezone: 'UTC' },
      ]) expect((await s.json('POST', '/api/v1/budgets', b)).status).toBe(201);
    }, 120_000);

    afterAll(async () => {
      await s?.stop();
    });

    it('summary: today, last hour, month-to-date exact, month end, per-request cost, the budgets that apply', async () => {
      const a = await get('summary?scope=department&subject=research');
      const today = Date.parse('2026-04-02T00:00:00Z');
      const month = Date.parse('2026-04-01T00:00:00Z');
      expect(a.today.cost_usd).toBe(usd(count(researchAll, today, NOW)));
      expect(a.today.requests).toBe(count(researchAll, today, NOW));
      expect(a.last_hour.requests).toBe(count(researchAll, NOW - HOUR, NOW));
      expect(a.month_to_date.cost_usd).toBe(usd(count(researchAll, month, NOW)));
      expect(a).toMatchObject({ today_usd: a.today.cost_usd, last_hour_usd: a.last_hour.cost_usd, month_to_date_usd: a.month_to_date.cost_usd });
      expect(a.projected_month_end).toEqual({ expected_usd: a.month_end.expected_usd, lower_80_usd: a.month_end.lower_80_usd, upper_80_usd: a.month_end.upper_80_usd });
      expect(a.month_to_date.requests).toBe(count([...researchAll, ...surge], month, NOW));
      expect(a.cost_per_request_usd).not.toBeNull();
      expect(Number(a.month_end.lower_80_usd)).toBeLessThanOrEqual(Number(a.month_end.expected_usd));
      expect(Number(a.month_end.expected_usd)).toBeLessThanOrEqual(Number(a.month_end.upper_80_usd));
      expect(Number(a.month_end.lower_80_usd)).toBeGreaterThanOrEqual(Number(a.month_to_date.cost_usd));
      expect(a.sessions).toBeGreaterThan(0);
      expect(a.limits.map((l: { id: string }) => l.id)).toEqual(['budget-research-big']);
      expect(a.limits[0]).toMatchObject({ kind: 'budget', usage_usd: a.month_to_date.cost_usd, crossed: false });
    });

    it('timeseries: a backfill of past months lands in its months; groups add up to the total', async () => {
      const a = await get('timeseries?scope=department&subject=research&granularity=month&from=2025-12-01&metric=requests');
      const months = ['2025-12-01', '2026-01-01', '2026-02-01', '2026-03-01', '2026-04-01', '2026-05-01'].map((d) => Date.parse(`${d}T00:00:00Z`));
      expect(a.points.map((p: { time: string }) => p.time)).toEqual(['2025-12-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z']);
      const all = [...researchAll, ...surge];
      expect(a.points.map((p: { value: number }) => p.value)).toEqual(months.slice(0, 5).map((m, i) => count(all, m, months[i + 1]!)));
      expect(a.points[4].partial).toBe(true);
      const byUser = await get('timeseries?scope=department&subject=research&granularity=day&from=2026-03-01&group_by=user');
      const total = BigInt(Math.round(Number(byUser.total_usd) * 1e12));
      const groups = byUser.groups.reduce((acc: bigint, g: { total_usd: string }) => acc + BigInt(Math.round(Number(g.total_usd) * 1e12)), 0n);
      expect(groups).toBe(total);
      expect(byUser.groups.map((g: { key: string }) => g.key)).toContain('mallory');
      expect(byUser.total_usd).toBe(usd(count(researchAll, Date.parse('2026-03-01T00:00:00Z'), NOW)));
    });

    it('timeseries in a time zone with DST: local days of 23 hours, local hours, weeks from Monday', async () => {
      const a = await get('timeseries?scope=department&subject=research&granularity=day&tz=Europe/Berlin&from=2026-03-28T00:00:00%2B01:00&to=2026-03-31T00:00:00%2B02:00&metric=requests');
      expect(a.points.map((p: { time: string }) => p.time)).toEqual(['2026-03-28T00:00:00+01:00', '2026-03-29T00:00:00+01:00', '2026-03-30T00:00:00+02:00']);
      const bounds = [Date.parse('2026-03-27T23:00:00Z'), Date.parse('2026-03-28T23:00:00Z'), Date.parse('2026-03-29T22:00:00Z'), Date.parse('2026-03-30T22:00:00Z')];
      expect(a.points.map((p: { value: number }) => p.value)).toEqual([0, 1, 2].map((i) => count(researchAll, bounds[i]!, bounds[i + 1]!)));
      const hours = await get('timeseries?scope=department&subject=research&granularity=hour&tz=Europe/Berlin&from=2026-03-29T00:00:00%2B01:00&to=2026-03-30T00:00:00%2B02:00');
      expect(hours.points).toHaveLength(23);
      expect(hours.points[2].time).toBe('2026-03-29T03:00:00+02:00');
      const kolkata = await get('timeseries?scope=department&subject=research&granularity=day&tz=Asia/Kolkata&from=2026-03-10&to=2026-03-12&metric=requests');
      expect(kolkata.points[0]).toMatchObject({ time: '2026-03-10T00:00:00+05:30', value: count(researchAll, Date.parse('2026-03-09T18:30:00Z'), Date.parse('2026-03-10T18:30:00Z')) });
      const weeks = await get('timeseries?scope=department&subject=research&granularity=week&tz=America/New_York&from=2026-03-01&to=2026-03-20');
      for (const p of weeks.points.slice(1)) expect(new Date(p.time.slice(0, 10)).getUTCDay()).toBe(1);
    });

    it('a YYYY-MM-DD from/to is local midnight in tz (as on the chargeback endpoints)', async () => {
      // UTC midnight would start at 20:00 the day before in New York and end with a partial day in Kolkata.
      const ny = await get('timeseries?scope=department&subject=research&granularity=hour&tz=America/New_York&from=2026-03-10&to=2026-03-11&metric=requests');
      expect(ny.points).toHaveLength(24);
      expect([ny.points[0].time, ny.points[23].time]).toEqual(['2026-03-10T00:00:00-04:00', '2026-03-10T23:00:00-04:00']);
      expect(ny.points.reduce((a: number, p: { value: number }) => a + p.value, 0)).toBe(count(researchAll, Date.parse('2026-03-10T04:00:00Z'), Date.parse('2026-03-11T04:00:00Z')));
      const kolkata = await get('timeseries?scope=department&subject=research&granularity=day&tz=Asia/Kolkata&from=2026-03-10&to=2026-03-12&metric=requests');
      expect(kolkata.points.map((p: { time: string }) => p.time)).toEqual(['2026-03-10T00:00:00+05:30', '2026-03-11T00:00:00+05:30']);
      const an = await get('anomalies?scope=department&subject=research&tz=Asia/Tokyo&granularity=day&from=2026-03-02&to=2026-03-09');
      expect([an.from, an.to]).toEqual(['2026-03-02T00:00:00+09:00', '2026-03-09T00:00:00+09:00']);
      // as_of too: a date is the local midnight starting that day.
      expect((await get('summary?scope=department&subject=research&tz=Asia/Tokyo&as_of=2026-03-02')).as_of).toBe('2026-03-01T15:00:00.000Z');
    });

    it('forecast: months of 28, 30 and 31 days; points; intervals that shrink to nothing at the end of the month', async () => {
      const apr = await get('forecast?scope=department&subject=research');
      expect(apr.month.days).toBe(30);
      expect(apr.points).toHaveLength(29);
      expect(apr.month_to_date_usd).toBe(usd(count(researchAll, Date.parse('2026-04-01T00:00:00Z'), NOW)));
      expect(apr.history_seen.days).toBeGreaterThan(100);
      expect(apr.method).toBe('weighted');
      expect(Object.keys(apr.history_seen.weights)).toEqual(['ets', 'weekday_mean', 'seasonal_naive']);
      // The month so far, cumulative per day; then the cumulative forecast, which ends at month_end.
      expect(apr.history.map((h: { time: string }) => h.time)).toEqual(['2026-04-01T00:00:00Z', '2026-04-02T00:00:00Z']);
      expect(apr.history[0].actual_usd).toBe(usd(count(researchAll, Date.parse('2026-04-01T00:00:00Z'), Date.parse('2026-04-02T00:00:00Z'))));
      expect(apr.history[1].actual_usd).toBe(apr.month_to_date_usd);
      expect(apr.points[28]).toMatchObject({ time: '2026-04-30T00:00:00Z', ...apr.month_end });
      expect(apr.daily).toHaveLength(29);
      const cumulative = apr.daily.reduce((a: number, d: { expected_usd: string }) => a + Number(d.expected_usd), 0);
      expect(cumulative).toBeCloseTo(Number(apr.month_end.expected_usd) - Number(apr.month_to_date_usd) + Number(apr.today_so_far_usd), 4);
      const feb = await get('forecast?scope=department&subject=research&as_of=2026-02-10T12:00:00Z');
      expect(feb.month.days).toBe(28);
      expect(feb.points).toHaveLength(19);
      const mar = await get('forecast?scope=department&subject=research&as_of=2026-03-05T12:00:00Z&tz=Europe/Berlin');
      expect(mar.month.days).toBe(31);
      expect(mar.points[0].time).toBe('2026-03-05T00:00:00+01:00');
      expect(mar.points[26].time).toBe('2026-03-31T00:00:00+02:00');
      // The last second of March in Berlin: month to date is all but that second; the interval is (almost) nothing.
      const last = await get('forecast?scope=department&subject=research&as_of=2026-03-31T21:59:59Z&tz=Europe/Berlin');
      expect(last.points).toHaveLength(1);
      const width = Number(last.month_end.upper_95_usd) - Number(last.month_end.lower_95_usd);
      expect(width).toBeLessThan(0.001);
      expect(Number(last.month_end.lower_95_usd)).toBeGreaterThanOrEqual(Number(last.month_to_date_usd));
      const short = await get('forecast?scope=department&subject=research&horizon=2d&metric=requests');
      expect(short.points).toHaveLength(2);
      expect(short.hourly_points.length).toBeGreaterThan(24);
      expect(short.month_end).toHaveProperty('expected');
      expect(short.month_to_date).toBe(count([...researchAll, ...surge], Date.parse('2026-04-01T00:00:00Z'), NOW));
    });

    it('forecast: a subject with one day of history, and one with none', async () => {
      const one = await get('forecast?scope=user&subject=newbie');
      expect(one.method).toBe('mean');
      expect(one.history_seen).toMatchObject({ days: 1, from: '2026-04-01' });
      expect(one.month_to_date_usd).toBe(usd(6));
      expect(Number(one.month_end.expected_usd)).toBeGreaterThan(Number(one.month_to_date_usd));
      const none = await get('forecast?scope=department&subject=ghost');
      expect(none).toMatchObject({ method: 'none', history: [], history_seen: { days: 0, from: null }, month_to_date_usd: '0', month_end: { expected_usd: '0', upper_95_usd: '0' } });
      expect(none.points.every((p: { expected_usd: string }) => p.expected_usd === '0')).toBe(true);
      const summary = await get('summary?scope=department&subject=ghost');
      expect(summary).toMatchObject({ month_to_date: { cost_usd: '0', requests: 0 }, cost_per_request_usd: null, method: 'none' });
      const seasons = await get('seasonality?scope=user&subject=newbie');
      expect(seasons.periods.map((p: { enough_history: boolean }) => p.enough_history)).toEqual([false, false]);
      expect(seasons.periods[1].message).toMatch(/^not enough history: 0 full weekly cycles, at least 3 are needed$/);
    });

    it('forecast: budget risk per applicable budget, one already crossed', async () => {
      const sales = await get('forecast?scope=department&subject=sales');
      expect(sales.budgets).toHaveLength(1);
      expect(sales.budgets[0]).toMatchObject({ id: 'budget-sales-tiny', name: 'Sales pilot', crossed: true, crossed_on: '2026-04-01', probability_exceeded: 1, expected_crossing: '2026-04-01' });
      const research = await get('forecast?scope=department&subject=research');
      expect(research.budgets[0]).toMatchObject({ id: 'budget-research-big', name: null, kind: 'budget', limit_usd: '100000', crossed: false, expected_crossing: null });
      expect(research.budgets[0].probability_exceeded).toBeLessThan(0.01);
      // A budget set at the expected month end is about a coin toss, crossed (if at all) near the end of the month.
      const expected = Number(research.month_end.expected_usd);
      expect((await s.json('POST', '/api/v1/budgets', { id: 'budget-research-even', scope: 'department', subject: 'research', amount: expected, period: 'month', timezone: 'UTC' })).status).toBe(201);
      const even = (await get('forecast?scope=department&subject=research')).budgets.find((l: { id: string }) => l.id === 'budget-research-even');
      expect(even.probability_exceeded).toBeGreaterThan(0.2);
      expect(even.probability_exceeded).toBeLessThan(0.8);
      expect((await s.json('DELETE', '/api/v1/budgets/budget-research-even')).status).toBe(204);
      // A named quota is named too; over everything no limit applies (a subject "*" limit holds per subject, not for the total).
      expect((await s.json('POST', '/api/v1/quotas', { id: 'q-research-tokens', name: 'Research tokens', scope: 'department', subject: '*', metric: 'tokens', period: 'month', limit: 1e12 })).status).toBe(201);
      const tokens = await get('forecast?scope=department&subject=research&metric=tokens');
      expect(tokens.budgets.map((b: { id: string; name: string | null; subject: string }) => [b.id, b.name, b.subject])).toEqual([['q-research-tokens', 'Research tokens', 'research']]);
      expect((await get('forecast?metric=tokens')).budgets).toEqual([]);
      expect((await s.json('DELETE', '/api/v1/quotas/q-research-tokens')).status).toBe(204);
    });

    it('anomalies: the injected spike, explained by its user; the error surge; nothing on a quiet subject', async () => {
      const a = await get('anomalies?scope=department&subject=research&min_impact_usd=0&from=2026-03-26T00:00:00Z');
      const spikes = a.anomalies.filter((x: { start: string }) => x.start === '2026-04-01T14:00:00Z');
      expect(spikes).toHaveLength(1);
      expect(spikes[0]).toMatchObject({ kind: 'spike', direction: 'up', detected_at: '2026-04-01T14:00:00Z' });
      expect(Number(spikes[0].impact_usd)).toBeGreaterThan(0);
      expect(spikes[0].explained_by.user[0]).toMatchObject({ key: 'mallory' });
      expect(spikes[0].explained_by.feature[0]).toMatchObject({ key: 'batch' });
      expect(spikes[0]).toMatchObject({ id: 'cost:2026-04-01T14:00:00Z', bucket_start: '2026-04-01T14:00:00Z' });
      expect(spikes[0].explanation[0]).toMatchObject({ value: expect.stringMatching(/^(mallory|batch)$/) });
      expect(Number(spikes[0].observed_usd)).toBeGreaterThan(Number(spikes[0].expected_usd));
      const errors = await get('anomalies?scope=department&subject=research&metric=error_rate&min_impact_usd=0&from=2026-03-26T00:00:00Z');
      expect(errors.anomalies.map((x: { start: string; kind: string }) => [x.start, x.kind])).toEqual([['2026-03-31T10:00:00Z', 'error_surge']]);
      expect(errors.anomalies[0].explained_by.user[0].key).toBe('research-bob');
      const quiet = await get('anomalies?scope=department&subject=sales&min_impact_usd=0');
      expect(quiet.anomalies).toEqual([]);
      expect(quiet.buckets_scored).toBe(168);
    });

    it('seasonality: daily and weekly cycles with their profiles', async () => {
      const a = await get('seasonality?scope=department&subject=research&metric=requests');
      expect(a.present).toEqual(['daily', 'weekly']);
      const weekly = a.periods[1];
      expect(weekly.profile.map((p: { weekday: string }) => p.weekday)).toEqual(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']);
      expect(weekly.profile[5].factor).toBeLessThan(weekly.profile[0].factor);
      const daily = a.periods[0];
      expect(daily.profile[12].factor).toBeGreaterThan(daily.profile[3].factor);
    });

    it('quota suggestions: one per department from 30 days, each a valid POST /quotas body', async () => {
      const a = await get('quota-suggestions?scope=department&period=day');
      expect(a.suggestions.map((x: { subject: string }) => x.subject)).toEqual(['research', 'frozen', 'sales', 'lab']);
      const r = a.suggestions[0];
      expect(Number(r.suggested_limit_usd)).toBeGreaterThanOrEqual(Number(r.baseline.p95_usd));
      expect(r.would_have_crossed.of).toBe(30);
      expect(r).toMatchObject({ scope: 'department', subject: 'research', metric: 'cost', period: 'day', suggested_limit: r.quota.limit, crossing_rate: r.would_have_crossed.rate });
      expect(r.baseline.days).toBe(30);
      const created = await s.json('POST', '/api/v1/quotas', { id: 'suggested-research', ...r.quota });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const month = await get('quota-suggestions?scope=department&subject=sales&metric=requests');
      expect(month.suggestions).toHaveLength(1);
      expect(Number.isInteger(month.suggestions[0].suggested_limit)).toBe(true);
    });

    it('as_of: records added after it change no answer', async () => {
      const asOf = '2026-03-25T12:00:00Z';
      const paths = [
        'summary', 'timeseries?granularity=hour', 'timeseries?granularity=day&group_by=user', 'seasonality', 'forecast', 'forecast?horizon=2d',
        'anomalies?min_impact_usd=0', 'anomalies?metric=error_rate&min_impact_usd=0',
      ].map((p) => `${p}${p.includes('?') ? '&' : '?'}scope=department&subject=frozen&tz=Europe/Berlin&as_of=${asOf}`);
      paths.push(`quota-suggestions?scope=department&as_of=${asOf}`);
      const before = await Promise.all(paths.map(get));
      // A record exactly at as_of (not before it), and a burst after it.
      const t = Date.parse(asOf);
      await ingest([
        record({ time: asOf, department: 'frozen', user: 'late' }) as Wire,
        ...Array.from({ length: 200 }, (_, i) => record({ time: new Date(t + 1000 + i * 60_000).toISOString(), department: 'frozen', user: 'late', outcome: i % 2 ? 'error' : 'ok' }) as Wire),
      ]);
      const after = await Promise.all(paths.map(get));
      for (let i = 0; i < paths.length; i++) expect(after[i], paths[i]).toEqual(before[i]);
      // Sanity: the new records do count with a later as_of.
      const later = await get('summary?scope=department&subject=frozen&tz=Europe/Berlin&as_of=2026-03-25T16:00:00Z');
      expect(later.today.requests).toBeGreaterThan(before[0].today.requests + 200);
    });

    it('bad parameters → 400 naming the parameter', async () => {
      const cases: Array<[string, string]> = [
        ['summary?scope=galaxy&subject=x', 'scope'],
        ['summary?scope=department', 'subject'],
        ['summary?subject=research', 'scope'],
        ['summary?tz=Mars/Olympus', 'tz'],
        ['summary?as_of=yesterday', 'as_of'],
        ['summary?as_of=2027-01-01T00:00:00Z', 'as_of'],
        ['summary?colour=blue', 'colour'],
        ['forecast?horizon=0d', 'horizon'],
        ['forecast?horizon=week', 'horizon'],
        ['forecast?metric=errors', 'metric'],
        ['timeseries?granularity=minute', 'granularity'],
        ['timeseries?group_by=planet', 'group_by'],
        ['timeseries?from=2026-03-10&to=2026-03-01', 'from'],
        ['timeseries?granularity=hour&from=2024-01-01', 'from'],
        ['anomalies?metric=vibes', 'metric'],
        ['anomalies?min_impact_usd=-1', 'min_impact_usd'],
        ['anomalies?explain=maybe', 'explain'],
        ['quota-suggestions?period=week', 'period'],
        ['quota-suggestions?scope=model', 'scope'],
        ['quota-suggestions?quantile=2', 'quantile'],
        ['timeseries?from=2026-02-30', 'from'],
        ['anomalies?from=2026-04-03', 'from'],
        ['anomalies?to=2026-04-01T09:00', 'to'],
      ];
      for (const [path, param] of cases) {
        const r = await s.json('GET', `/api/v1/analytics/${path}`, undefined, 'read');
        expect(r.status, path).toBe(400);
        expect(r.body.error.details[0].path, path).toBe(param);
        expect(r.body.error.message, path).toContain(param);
      }
      // One shape and one wording with the chargeback endpoints (analytics-params.ts).
      expect((await s.json('GET', '/api/v1/analytics/forecast?scope=department', undefined, 'read')).body).toEqual({ error: {
        code: 'invalid_request', message: 'invalid query: subject: is required with scope (e.g. scope=department&subject=…)',
        details: [{ path: 'subject', message: 'is required with scope (e.g. scope=department&subject=…)' }],
      } });
      expect((await s.json('GET', '/api/v1/analytics/summary?as_of=2026-04-03', undefined, 'read')).body.error).toEqual({
        code: 'invalid_request', message: 'invalid query: as_of: must not be in the future (2026-04-03T00:00:00.000Z is after now, 2026-04-02T10:15:00.000Z, by more than 60 s)',
        details: [{ path: 'as_of', message: 'must not be in the future (2026-04-03T00:00:00.000Z is after now, 2026-04-02T10:15:00.000Z, by more than 60 s)' }],
      });
      expect((await s.json('GET', '/api/v1/analytics/summary?tz=Mars/Olympus', undefined, 'read')).body.error.message)
        .toBe('invalid query: tz: must be an IANA time zone such as "Europe/Berlin" or "UTC"');
      // Within the clock-skew allowance, as_of may lead the service's clock.
      expect((await s.json('GET', '/api/v1/analytics/summary?as_of=2026-04-02T10:15:59Z', undefined, 'read')).status).toBe(200);
      expect((await s.json('GET', '/api/v1/analytics/summary', undefined, 'ingest')).status).toBe(403);
    });
  });
}
