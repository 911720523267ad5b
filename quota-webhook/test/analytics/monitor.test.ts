/**
 * The ledger anomaly detection of `/metrics` in the background (src/analytics/monitor.ts) on a real control
 * plane and SQLite ledger: a scrape never waits for a detection (a detector held on a gate stands for a slow
 * one; no timing), one detection at a time, each anomaly counted once across detections, failures reported
 * once and counted, and a stop that leaves nothing running.
 */
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AnomalyMonitor, detectSubjectAnomalies, registerAnalyticsMetrics } from '../../src/analytics/monitor.js';
import { record, startTestServer, type TestServer } from '../helpers.js';
import { parseExposition, type Exposition } from '../support/exposition.js';
import { gated } from '../support/gate.js';

const HOUR = 3_600_000;
const SPIKE = Date.parse('2026-04-01T14:00:00Z');
/** Every subject with usage: the total, one department, two features, one provider, one model. */
const SUBJECTS = ['all/*', 'department/research', 'feature/batch', 'feature/search', 'model/gpt-4o', 'provider/openai'];
let s: TestServer;

/** Nine weeks of research's calls (more in working hours), then a runaway batch job for two hours from SPIKE. */
beforeAll(async () => {
  s = await startTestServer({ now: SPIKE + HOUR + 5_000 });
  const records: Array<Record<string, unknown>> = [];
  for (let t = SPIKE - 63 * 24 * HOUR; t < SPIKE + 3 * HOUR; t += HOUR) {
    const h = new Date(t).getUTCHours();
    const n = h >= 8 && h < 18 ? 4 : 1;
    for (let i = 0; i < n; i++) records.push(record({ time: new Date(t + i * 60_000).toISOString(), department: 'research', feature: 'search', user: `u${i}` }));
  }
  for (let i = 0; i < 600; i++) records.push(record({ time: new Date(SPIKE + i * 12_000).toISOString(), department: 'research', user: 'mallory', feature: 'batch' }));
  for (let i = 0; i < records.length; i += 5000) expect((await s.json('POST', '/api/v1/usage', { records: records.slice(i, i + 5000) }, 'ingest')).status).toBe(200);
}, 60_000);

afterAll(async () => {
  await s?.stop();
});

/** The real detector behind a gate: each subject waits until the test opens the gate of the moment. */
const gatedDetector = () => gated(detectSubjectAnomalies, (_cp, target) => `${target.scope}/${target.subject}`);

describe('/metrics ledger anomalies in the background', () => {
  const monitors: AnomalyMonitor[] = [];
  afterEach(async () => {
    for (const m of monitors.splice(0)) await m.close();
  });

  /** The anomaly families of `monitor` on their own registry, parsed. */
  function renderer(monitor: AnomalyMonitor): () => Promise<Exposition> {
    monitors.push(monitor);
    const registry = new Registry();
    registerAnalyticsMetrics(registry, s.cp, { monitor });
    return async () => parseExposition(await registry.metrics());
  }

  const impacts = (m: Exposition) => m.find('tokenmeter_analytics_anomaly_impact_usd');
  const spike = { metric: 'cost', kind: 'spike', direction: 'up' };
  const found = (m: Exposition, scope: string, subject: string) => m.one('tokenmeter_analytics_anomalies_total', { scope, subject, metric: 'cost', kind: 'spike' }).value;
  const at = (ms: number): void => {
    s.clock.now = ms;
  };

  /** The API's impact of the cost spike of one subject under way at `hourEnd`, with the monitor's settings. */
  async function apiImpact(scope: string, subject: string, hourEnd: number): Promise<number> {
    const query = new URLSearchParams({
      scope, subject, metric: 'cost', tz: 'UTC', from: new Date(hourEnd - 48 * HOUR).toISOString(), to: new Date(hourEnd).toISOString(),
      as_of: new Date(hourEnd).toISOString(), min_impact_usd: '1', explain: 'false',
    });
    const res = await s.json('GET', `/api/v1/analytics/anomalies?${query}`, undefined, 'read');
    expect(res.status).toBe(200);
    const under = (res.body.anomalies as Array<{ end: string; kind: string; impact_usd: string }>).filter((a) => Date.parse(a.end) === hourEnd && a.kind === 'spike');
    expect(under).toHaveLength(1);
    return Number(under[0]!.impact_usd);
  }

  it('a scrape during a held detection answers at once: nothing before the first, then the previous figures; each anomaly counted once', async () => {
    at(SPIKE + HOUR + 5_000);
    const slow = gatedDetector();
    const monitor = new AnomalyMonitor(s.cp, { detector: slow.fn });
    const scrape = renderer(monitor);

    // Nothing published yet: the scrape starts the detection and answers without the anomaly series.
    let m = await scrape();
    expect(impacts(m)).toEqual([]);
    expect(m.find('tokenmeter_analytics_anomalies_total')).toEqual([]);
    expect(m.find('tokenmeter_analytics_anomaly_detection_timestamp_seconds')).toEqual([]);
    expect(m.find('tokenmeter_analytics_anomaly_detection_duration_seconds')).toEqual([]);
    expect(m.one('tokenmeter_analytics_anomaly_detection_subjects').value).toBe(0);
    expect(m.one('tokenmeter_analytics_anomaly_detection_runs_total', { result: 'completed' }).value).toBe(0);
    await slow.firstEntry;
    // Held in its first subject: another scrape answers at once and starts no second detection.
    m = await scrape();
    expect(impacts(m)).toEqual([]);
    expect(monitor.computing).toBe(true);
    expect(slow.entered).toEqual(['all/*']);

    slow.open();
    await monitor.settled();
    expect([...slow.entered].sort()).toEqual(SUBJECTS);
    m = await scrape();
    const first = impacts(m);
    expect(first.map((x) => `${x.labels.scope}/${x.labels.subject}/${x.labels.kind}`).sort()).toEqual(['all/*/spike', 'department/research/spike', 'feature/batch/spike', 'model/gpt-4o/spike', 'provider/openai/spike']);
    const research = m.one('tokenmeter_analytics_anomaly_impact_usd', { scope: 'department', subject: 'research', ...spike }).value;
    expect(research).toBeCloseTo(await apiImpact('department', 'research', SPIKE + HOUR), 6);
    expect(m.one('tokenmeter_analytics_anomaly_score', { scope: 'department', subject: 'research', ...spike }).value).toBeGreaterThan(5);
    expect(found(m, 'department', 'research')).toBe(1);
    expect(m.one('tokenmeter_analytics_anomaly_detection_timestamp_seconds').value).toBe((SPIKE + HOUR) / 1000);
    expect(m.one('tokenmeter_analytics_anomaly_detection_subjects').value).toBe(SUBJECTS.length);
    expect(m.one('tokenmeter_analytics_anomaly_detection_duration_seconds').value).toBeGreaterThan(0);

    // The next hour (the spike goes on) while the detector is slow: the previous figures, at once, scrape after scrape.
    slow.close();
    at(SPIKE + 2 * HOUR + 5_000);
    const entries = slow.entered.length;
    for (let i = 0; i < 3; i++) {
      m = await scrape();
      expect(impacts(m)).toEqual(first);
      expect(m.one('tokenmeter_analytics_anomaly_detection_timestamp_seconds').value).toBe((SPIKE + HOUR) / 1000);
    }
    expect(monitor.computing).toBe(true);
    slow.open();
    await monitor.settled();
    // One detection for the three scrapes: each subject entered once more.
    expect(slow.entered.length - entries).toBe(SUBJECTS.length);
    m = await scrape();
    expect(m.one('tokenmeter_analytics_anomaly_detection_timestamp_seconds').value).toBe((SPIKE + 2 * HOUR) / 1000);
    const second = m.one('tokenmeter_analytics_anomaly_impact_usd', { scope: 'department', subject: 'research', ...spike }).value;
    expect(second).toBeCloseTo(await apiImpact('department', 'research', SPIKE + 2 * HOUR), 6);
    expect(second).toBeGreaterThan(research);
    // The same anomaly, found again: not counted again.
    expect(found(m, 'department', 'research')).toBe(1);
    expect(found(m, 'all', '*')).toBe(1);

    // Over: the gauges are gone, the counter stays.
    at(SPIKE + 3 * HOUR + 5_000);
    await scrape();
    await monitor.settled();
    m = await scrape();
    expect(impacts(m)).toEqual([]);
    expect(found(m, 'department', 'research')).toBe(1);
    expect(m.one('tokenmeter_analytics_anomaly_detection_runs_total', { result: 'completed' }).value).toBe(3);
  });

  it('a failed detection keeps the last figures, is reported once per run of failures, counted, and retried a minute later', async () => {
    at(SPIKE + HOUR + 5_000);
    let failing = false;
    const errors: unknown[] = [];
    const infos: string[] = [];
    const monitor = new AnomalyMonitor(s.cp, {
      detector: async (cp, target, hourEndMs) => {
        if (failing && target.scope === 'department') throw new Error('store unreachable');
        return detectSubjectAnomalies(cp, target, hourEndMs);
      },
      onError: (e) => errors.push(e),
      onInfo: (message) => infos.push(message),
    });
    const scrape = renderer(monitor);
    await scrape();
    await monitor.settled();
    const good = impacts(await scrape());
    expect(good.length).toBe(5);

    failing = true;
    at(SPIKE + 2 * HOUR + 5_000);
    let m = await scrape();
    expect(impacts(m)).toEqual(good);
    await monitor.settled();
    m = await scrape();
    expect(impacts(m)).toEqual(good);
    expect(m.one('tokenmeter_analytics_anomaly_detection_timestamp_seconds').value).toBe((SPIKE + HOUR) / 1000);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('ledger anomaly detection for /metrics failed (the last figures stay published; retried in 60 s): store unreachable');
    expect(m.one('tokenmeter_analytics_anomaly_detection_runs_total', { result: 'failed' }).value).toBe(1);
    // Not retried within the minute, however often it is scraped.
    at(SPIKE + 2 * HOUR + 59_000);
    await scrape();
    expect(monitor.computing).toBe(false);
    expect(monitor.stats).toEqual({ completed: 1, failed: 1 });
    // A minute on: retried, failing again: counted, not reported again.
    at(SPIKE + 2 * HOUR + 66_000);
    await scrape();
    expect(monitor.computing).toBe(true);
    await monitor.settled();
    expect(monitor.stats).toEqual({ completed: 1, failed: 2 });
    expect(errors).toHaveLength(1);
    // Recovered: the figures of this hour, and a line saying so.
    failing = false;
    at(SPIKE + 2 * HOUR + 127_000);
    await scrape();
    await monitor.settled();
    m = await scrape();
    expect(m.one('tokenmeter_analytics_anomaly_detection_timestamp_seconds').value).toBe((SPIKE + 2 * HOUR) / 1000);
    expect(m.one('tokenmeter_analytics_anomaly_impact_usd', { scope: 'department', subject: 'research', ...spike }).value)
      .toBeCloseTo(await apiImpact('department', 'research', SPIKE + 2 * HOUR), 6);
    expect(infos).toEqual(['ledger anomaly detection for /metrics computed again after failures']);
    expect(m.one('tokenmeter_analytics_anomaly_detection_runs_total', { result: 'completed' }).value).toBe(2);
    expect(found(m, 'department', 'research')).toBe(1);
  });

  it('close() stops the detection at its next subject, waits for it and starts no other', async () => {
    at(SPIKE + HOUR + 5_000);
    const slow = gatedDetector();
    const monitor = new AnomalyMonitor(s.cp, { detector: slow.fn });
    const scrape = renderer(monitor);
    await scrape();
    await slow.firstEntry;
    let closed = false;
    const closing = monitor.close().then(() => {
      closed = true;
    });
    // Waiting for the subject in flight.
    await scrape();
    expect(closed).toBe(false);
    slow.open();
    await closing;
    expect(monitor.computing).toBe(false);
    expect(slow.entered).toEqual(['all/*']);
    const m = await scrape();
    expect(impacts(m)).toEqual([]);
    expect(monitor.computing).toBe(false);
    expect(monitor.stats).toEqual({ completed: 0, failed: 0 });
    await monitor.close();
  });

  it('the control plane stops its detection before its store: a stop during a detection leaves nothing running and nothing failed', async () => {
    at(SPIKE + HOUR + 5_000);
    expect((await s.call('GET', '/metrics', { token: null })).status).toBe(200);
    const monitor = s.cp.anomalyMonitor;
    // Started by that scrape, or already done.
    expect(monitor.computing || monitor.published !== undefined).toBe(true);
    await s.stop();
    expect(monitor.computing).toBe(false);
    expect(monitor.stats.failed).toBe(0);
    // Closed: a later scrape's read starts nothing.
    at(SPIKE + 2 * HOUR + 5_000);
    monitor.current();
    expect(monitor.computing).toBe(false);
  });
});
