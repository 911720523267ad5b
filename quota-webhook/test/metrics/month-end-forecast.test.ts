/**
 * The background month-end forecast of `/metrics` (src/metrics/month-end-forecast.ts)
 * on a real control plane and SQLite ledger: a scrape never waits for a forecast
 * (a forecaster held on a gate stands for a slow one; no timing), one computation
 * at a time, failures reported once and counted, the cap on subjects, and a stop
 * that leaves nothing running.
 */
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { registerLedgerMetrics } from '../../src/metrics/ledger-metrics.js';
import { forecastInputs, forecastMonthEnd, ForecastMonthEndCache } from '../../src/metrics/month-end-forecast.js';
import type { MonthEndInput } from '../../src/metrics/month-end.js';
import { record, startTestServer, type TestServer } from '../helpers.js';
import { parseExposition, type Exposition } from '../support/exposition.js';
import { gated } from '../support/gate.js';

const NOW = Date.parse('2026-03-15T12:30:00Z');
const DAY = 86_400_000;

/** The real forecaster behind a gate: each subject waits until the test opens the gate of the moment. */
const gatedForecaster = () => gated(forecastMonthEnd, (_cp, input) => `${input.scope}/${input.subject}`);

describe('/metrics month-end forecast in the background', () => {
  let t: TestServer | undefined;
  const caches: ForecastMonthEndCache[] = [];
  afterEach(async () => {
    for (const c of caches.splice(0)) await c.close();
    await t?.stop();
    t = undefined;
  });

  /** A server whose ledger has four weeks of two departments (research spends more) and today's calls. */
  async function serve(config: Record<string, unknown> = {}): Promise<TestServer> {
    t = await startTestServer({ now: NOW, config });
    const records = [];
    for (let d = 1; d <= 28; d++) {
      const time = new Date(NOW - d * DAY).toISOString();
      records.push(record({ department: 'research', org: 'acme', feature: 'search', time, tokens: { input: 20_000, output: 1000 } }));
      records.push(record({ department: 'sales', org: 'beta', feature: 'chat', time, tokens: { input: 5000, output: 500 } }));
    }
    records.push(record({ department: 'research', org: 'acme', feature: 'search', time: new Date(NOW - 3_600_000).toISOString() }));
    expect((await t.json('POST', '/api/v1/usage', { records }, 'ingest')).body.accepted).toBe(records.length);
    return t;
  }

  /** The ledger families as /metrics appends them, rendered with `cache` (the registry holds the cache's own gauges). */
  function renderer(server: TestServer, cache: ForecastMonthEndCache): () => Promise<Exposition> {
    caches.push(cache);
    const registry = new Registry();
    const render = registerLedgerMetrics(registry, server.cp, { forecast: cache });
    return async () => parseExposition(`${await registry.metrics()}\n${Buffer.concat(await render()).toString()}`);
  }

  const forecasts = (m: Exposition) => m.find('tokenmeter_projected_month_end_cost_usd', { method: 'forecast' });
  const value = (m: Exposition, scope: string, subject: string) => m.one('tokenmeter_projected_month_end_cost_usd', { scope, subject, method: 'forecast' }).value;

  async function endpoint(server: TestServer, query: string, asOf: number): Promise<number> {
    const res = await server.json('GET', `/api/v1/analytics/forecast?${query}&as_of=${new Date(asOf).toISOString()}`, undefined, 'read');
    expect(res.status).toBe(200);
    return Number(res.body.month_end.expected_usd);
  }

  it('a scrape while a slow forecast runs answers at once: nothing before the first computation, then the previous figures', async () => {
    const server = await serve();
    const slow = gatedForecaster();
    const cache = new ForecastMonthEndCache({ forecaster: slow.fn });
    const scrape = renderer(server, cache);

    // Nothing published yet: the scrape starts the computation and answers without the forecast series.
    let m = await scrape();
    expect(forecasts(m)).toEqual([]);
    expect(m.find('tokenmeter_month_end_forecast_timestamp_seconds')).toEqual([]);
    expect(m.find('tokenmeter_projected_month_end_cost_usd', { method: 'run_rate' }).length).toBeGreaterThan(5);
    await slow.firstEntry;
    // Held in its first subject: another scrape answers at once, and starts no second computation.
    m = await scrape();
    expect(forecasts(m)).toEqual([]);
    expect(cache.computing).toBe(true);
    expect(slow.entered).toEqual(['all/*']);

    slow.open();
    await cache.settled();
    m = await scrape();
    const first = forecasts(m);
    expect(first.map((x) => `${x.labels.scope}/${x.labels.subject}`).sort()).toEqual(['all/*', 'department/research', 'department/sales', 'feature/chat', 'feature/search', 'org/acme', 'org/beta', 'provider/openai']);
    expect(value(m, 'all', '*')).toBe(await endpoint(server, '', NOW));
    expect(value(m, 'department', 'research')).toBe(await endpoint(server, 'scope=department&subject=research', NOW));
    expect(m.one('tokenmeter_month_end_forecast_timestamp_seconds').value).toBe(NOW / 1000);

    // Stale again (new spend, a minute on) while the forecaster is slow: the previous figures, at once, scrape after scrape.
    slow.close();
    const spend = record({ department: 'research', org: 'acme', feature: 'search', time: new Date(NOW + 1000).toISOString(), tokens: { input: 900_000, output: 90_000 } });
    expect((await server.json('POST', '/api/v1/usage', { records: [spend] }, 'ingest')).body.accepted).toBe(1);
    server.clock.now = NOW + 61_000;
    const entries = slow.entered.length;
    for (let i = 0; i < 3; i++) {
      m = await scrape();
      expect(forecasts(m)).toEqual(first);
      expect(m.one('tokenmeter_month_end_forecast_timestamp_seconds').value).toBe(NOW / 1000);
    }
    expect(cache.computing).toBe(true);
    slow.open();
    await cache.settled();
    // One computation for the three scrapes: each subject entered once more.
    expect(slow.entered.length - entries).toBe(first.length);
    m = await scrape();
    expect(m.one('tokenmeter_month_end_forecast_timestamp_seconds').value).toBe((NOW + 61_000) / 1000);
    expect(value(m, 'department', 'research')).toBe(await endpoint(server, 'scope=department&subject=research', NOW + 61_000));
    expect(value(m, 'department', 'research')).toBeGreaterThan(first.find((x) => x.labels.subject === 'research')!.value);
    expect(m.one('tokenmeter_month_end_forecast_runs_total', { result: 'completed' }).value).toBe(2);
  });

  it('a failed computation keeps the last figures, is reported once per run of failures, counted, and retried a minute later', async () => {
    const server = await serve();
    let failing = false;
    const errors: unknown[] = [];
    const infos: string[] = [];
    const cache = new ForecastMonthEndCache({
      forecaster: async (cp, input) => {
        if (failing && input.scope === 'department') throw new Error('store unreachable');
        return forecastMonthEnd(cp, input);
      },
      onError: (e) => errors.push(e),
      onInfo: (message) => infos.push(message),
    });
    const scrape = renderer(server, cache);
    await scrape();
    await cache.settled();
    const good = forecasts(await scrape());
    expect(good.length).toBeGreaterThan(5);

    failing = true;
    const change = async (at: number): Promise<void> => {
      const r = record({ department: 'sales', org: 'beta', feature: 'chat', time: new Date(at - 1000).toISOString() });
      expect((await server.json('POST', '/api/v1/usage', { records: [r] }, 'ingest')).body.accepted).toBe(1);
      server.clock.now = at;
    };
    await change(NOW + 61_000);
    let m = await scrape();
    expect(forecasts(m)).toEqual(good);
    await cache.settled();
    m = await scrape();
    expect(forecasts(m)).toEqual(good);
    expect(errors).toHaveLength(1);
    expect(String((errors[0] as Error).message)).toMatch(/^month-end forecast for \/metrics failed \(the last figures stay published; retried in 60 s\): store unreachable$/);
    expect(m.one('tokenmeter_month_end_forecast_runs_total', { result: 'failed' }).value).toBe(1);
    // Not retried within the minute, however often it is scraped.
    await scrape();
    expect(cache.computing).toBe(false);
    expect(cache.stats.failed).toBe(1);
    // A minute on: retried, failing again: counted, not reported again.
    await change(NOW + 122_000);
    await scrape();
    await cache.settled();
    expect(cache.stats).toMatchObject({ completed: 1, failed: 2 });
    expect(errors).toHaveLength(1);
    // Recovered: new figures, and a line saying so.
    failing = false;
    await change(NOW + 183_000);
    await scrape();
    await cache.settled();
    m = await scrape();
    expect(m.one('tokenmeter_month_end_forecast_timestamp_seconds').value).toBe((NOW + 183_000) / 1000);
    expect(value(m, 'department', 'sales')).toBe(await endpoint(server, 'scope=department&subject=sales', NOW + 183_000));
    expect(infos).toEqual(['month-end forecast for /metrics computed again after failures']);
    expect(m.one('tokenmeter_month_end_forecast_runs_total', { result: 'completed' }).value).toBe(2);
  });

  it('close() stops the computation at its next subject, waits for it and starts no other', async () => {
    const server = await serve();
    const slow = gatedForecaster();
    const cache = new ForecastMonthEndCache({ forecaster: slow.fn });
    const scrape = renderer(server, cache);
    await scrape();
    await slow.firstEntry;
    let closed = false;
    const closing = cache.close().then(() => {
      closed = true;
    });
    // Waiting for the subject in flight.
    await scrape();
    expect(closed).toBe(false);
    slow.open();
    await closing;
    expect(cache.computing).toBe(false);
    expect(slow.entered).toEqual(['all/*']);
    const m = await scrape();
    expect(forecasts(m)).toEqual([]);
    expect(cache.computing).toBe(false);
    await cache.close();
  });

  it('the control plane stops its forecast before its store: a stop during a computation leaves nothing running and nothing failed', async () => {
    const server = await serve();
    expect((await server.call('GET', '/metrics', { token: null })).status).toBe(200);
    const forecast = server.cp.monthEndForecast;
    await server.stop();
    t = undefined;
    expect(forecast.computing).toBe(false);
    expect(forecast.stats.failed).toBe(0);
    // Closed: a late projection starts nothing.
    await forecast.project([], server.cp);
    expect(forecast.computing).toBe(false);
  });

  it('forecasts scope "all" and the costliest TOKENMETER_METRICS_FORECAST_MAX_SUBJECTS subjects of each scope and zone', async () => {
    const server = await serve({ metricsForecastMaxSubjects: 1 });
    expect((await server.call('GET', '/metrics', { token: null })).status).toBe(200);
    await server.cp.monthEndForecast.settled();
    const m = parseExposition(await (await server.call('GET', '/metrics', { token: null })).text());
    // research and acme spend more than sales and beta; one provider, one feature each at most.
    expect(forecasts(m).map((x) => `${x.labels.scope}/${x.labels.subject}`).sort()).toEqual(['all/*', 'department/research', 'feature/search', 'org/acme', 'provider/openai']);
    expect(m.find('tokenmeter_projected_month_end_cost_usd', { method: 'run_rate', scope: 'department' })).toHaveLength(2);
    expect(m.one('tokenmeter_month_end_forecast_subjects').value).toBe(5);

    const input = (scope: MonthEndInput['scope'], subject: string, pico: bigint, timezone = 'UTC'): MonthEndInput => ({
      scope, subject, timezone, month_start_ms: 0, month_end_ms: 10, now_ms: 5, month_to_date_pico: pico,
    });
    const picked = forecastInputs([
      input('all', '*', 10n), input('department', 'a', 1n), input('department', 'b', 3n), input('department', 'c', 3n), input('department', '(none)', 9n),
      input('department', '(other)', 9n), input('department', 'z', 1n, 'Asia/Tokyo'), input('provider', 'openai', 2n),
    ], 2);
    expect(picked.map((i) => `${i.timezone}/${i.scope}/${i.subject}`)).toEqual(['UTC/all/*', 'UTC/department/b', 'UTC/department/c', 'Asia/Tokyo/department/z', 'UTC/provider/openai']);
    expect(forecastInputs([input('all', '*', 0n), input('org', 'x', 5n)], 0).map((i) => i.scope)).toEqual(['all']);
  });
});
