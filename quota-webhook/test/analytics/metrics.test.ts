/**
 * The ledger anomaly gauges on /metrics (what TokenmeterLedgerAnomaly pages on), from records ingested over HTTP.
 * The detection runs in the background (test/analytics/monitor.test.ts): a scrape starts it, the next one after
 * `settled()` publishes it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { record, startTestServer, type TestServer } from '../helpers.js';

const HOUR = 3_600_000;
const SPIKE = Date.parse('2026-04-01T14:00:00Z');
let s: TestServer;

beforeAll(async () => {
  s = await startTestServer({ now: SPIKE + HOUR + 5_000 });
  const records: Array<Record<string, unknown>> = [];
  for (let t = SPIKE - 63 * 24 * HOUR; t < SPIKE + HOUR; t += HOUR) {
    const h = new Date(t).getUTCHours();
    const n = h >= 8 && h < 18 ? 4 : 1;
    for (let i = 0; i < n; i++) records.push(record({ time: new Date(t + i * 60_000).toISOString(), department: 'research', user: `u${i}` }));
  }
  // One hour of a runaway batch job: 300 calls (about 2.25 USD) instead of 4.
  for (let i = 0; i < 300; i++) records.push(record({ time: new Date(SPIKE + i * 10_000).toISOString(), department: 'research', user: 'mallory', feature: 'batch' }));
  for (let i = 0; i < records.length; i += 5000) expect((await s.json('POST', '/api/v1/usage', { records: records.slice(i, i + 5000) }, 'ingest')).status).toBe(200);
}, 60_000);

afterAll(async () => {
  await s?.stop();
});

const metrics = async (): Promise<string> => (await s.call('GET', '/metrics', { token: null })).text();

/** A scrape that starts the detection of the hour, then one that reads it once it is done. */
async function detected(): Promise<string> {
  await metrics();
  await s.cp.anomalyMonitor.settled();
  return metrics();
}

describe('anomaly metrics', () => {
  it('an anomaly under way in the last complete hour is a gauge with its impact, and counted once', async () => {
    const text = await detected();
    const gauge = /tokenmeter_analytics_anomaly_impact_usd\{scope="department",subject="research",metric="cost",kind="spike",direction="up"\} ([0-9.]+)/.exec(text);
    expect(gauge, text.split('\n').filter((l) => l.includes('analytics')).join('\n')).not.toBeNull();
    expect(Number(gauge![1])).toBeGreaterThan(1.5);
    expect(text).toMatch(/tokenmeter_analytics_anomaly_impact_usd\{scope="all",subject="\*",metric="cost",kind="spike",direction="up"\} [0-9.]+/);
    expect(text).toMatch(/tokenmeter_analytics_anomaly_score\{scope="department",subject="research",metric="cost",kind="spike",direction="up"\} [0-9.]+/);
    expect(text).toContain('tokenmeter_analytics_anomalies_total{scope="department",subject="research",metric="cost",kind="spike"} 1');
    expect(text).toContain(`tokenmeter_analytics_anomaly_detection_timestamp_seconds ${(SPIKE + HOUR) / 1000}`);
    expect(text).toContain('tokenmeter_analytics_anomaly_detection_runs_total{result="completed"} 1');
    // A second scrape in the same hour reads the same answer, counts nothing twice and starts no detection.
    expect(await metrics()).toContain('tokenmeter_analytics_anomalies_total{scope="department",subject="research",metric="cost",kind="spike"} 1');
    expect(s.cp.anomalyMonitor.computing).toBe(false);
    expect(s.cp.anomalyMonitor.stats).toEqual({ completed: 1, failed: 0 });
  });

  it('once the anomaly is over the gauge is gone; the counter stays', async () => {
    s.clock.now = SPIKE + 3 * HOUR + 5_000;
    const text = await detected();
    expect(text).not.toMatch(/tokenmeter_analytics_anomaly_impact_usd\{/);
    expect(text).toContain('tokenmeter_analytics_anomalies_total{scope="department",subject="research",metric="cost",kind="spike"} 1');
    expect(text).toContain(`tokenmeter_analytics_anomaly_detection_timestamp_seconds ${(SPIKE + 3 * HOUR) / 1000}`);
  });
});
