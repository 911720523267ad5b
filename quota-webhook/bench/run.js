/**
 * `npm run bench -w quota-webhook` (build first: `npx tsc -b` at the root).
 * Every figure is a median, printed next to a baseline measured in the same run:
 * 1. ledger ingest, records/s, SQLite and Postgres (bench/ingest.js);
 * 2. quota evaluation and /metrics with 10,000 users' quotas over a month (bench/evaluation.js);
 * 3. the SDK's local decision with 10,000 blocks (bench/decision.js);
 * 4. crossing → refusal through Prometheus and Alertmanager (bench/crossing.js, when present);
 * 5. reports over a month of 1,000,000 records: time and the service's peak RSS (bench/reports.js);
 * 6. chargeback and recommendations over 1,000,000 records (bench/analytics-ii.js; `analytics-ii`);
 * 7. analytics: forecast accuracy, anomaly detection, endpoint timings over 1,000,000 records (bench/analytics.js);
 * 8. /metrics while the month-end forecast of 200 departments and 200 features is recomputed (bench/metrics-forecast.js);
 * 9. /metrics while the ledger anomaly detection of 405 subjects runs (bench/metrics-anomalies.js).
 * Postgres is a real server started by tools/testkit. `BENCH_ONLY=ingest,evaluation,decision,crossing,reports,analytics,analytics-ii,metrics-forecast,metrics-anomalies`
 * runs a subset (analytics parts: analytics-accuracy, analytics-anomalies, analytics-timing); `BENCH_EVAL_RECORDS`
 * sets the month's backfill (default 200,000); `BENCH_REPORT_RECORDS` the reports' (default 1,000,000);
 * `BENCH_ANALYTICS_RECORDS` the analytics ledgers' (default 1,000,000; a backfill is 4–10 minutes per store
 * on a loaded 2-core machine); `BENCH_FORECAST_RECORDS` the metrics-forecast ledger's (default 200,000);
 * `BENCH_ANOMALY_RECORDS` the metrics-anomalies ledger's (default 300,000).
 * Bounded: about two minutes without the crossing, reports and analytics benches on a 2-core machine
 * (the reports bench adds about five; analytics accuracy and anomalies about two, its timings 10–20 on a loaded machine).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres } from '@tokenmeter/testkit';
import { runAnalyticsIIBench } from './analytics-ii.js';
import { ANALYTICS_PARTS, analyticsSummary, runAnalyticsBench } from './analytics.js';
import { runDecisionBench } from './decision.js';
import { runEvaluationBench } from './evaluation.js';
import { runIngestBench } from './ingest.js';
import { runMetricsAnomaliesBench } from './metrics-anomalies.js';
import { runMetricsForecastBench } from './metrics-forecast.js';
import { runReportsBench } from './reports.js';
import { fmt, int } from './stats.js';
import { postgresTarget, sqliteTarget } from './targets.js';

const only = new Set((process.env.BENCH_ONLY ?? 'ingest,evaluation,decision,crossing,reports,analytics,analytics-ii,metrics-forecast,metrics-anomalies').split(',').map((s) => s.trim()));
const evalRecords = Number(process.env.BENCH_EVAL_RECORDS ?? 200_000);
const analyticsRecords = Number(process.env.BENCH_ANALYTICS_RECORDS ?? 1_000_000);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

async function withTarget(open, fn) {
  const target = await open();
  try {
    return await fn(target);
  } finally {
    await target.close();
  }
}

async function crossing() {
  const file = ['crossing.js', 'crossing.ts'].map((f) => new URL(f, import.meta.url)).find((u) => existsSync(u));
  if (file === undefined) {
    console.log('\n(crossing bench not present)');
    return undefined;
  }
  console.log('');
  const { runCrossingBench } = await import(file.href);
  return runCrossingBench();
}

/** One line per goal of issue 4, from the figures above. */
function summary(figures) {
  const lines = [];
  const ok = (met) => (met ? 'met' : 'NOT met');
  for (const store of ['sqlite', 'postgres']) {
    const ingest = figures.ingest.filter((r) => r.store === store && r.path.startsWith('ControlPlane'));
    if (ingest.length > 0) {
      const worst = Math.min(...ingest.map((r) => r.recordsPerSecond));
      const ratio = Math.max(...ingest.map((r) => r.ratioToBaseline));
      const goalText = store === 'sqlite' ? ` — goal ≥ 20,000 on one core: ${ok(worst >= 20_000)}` : ' (no goal stated)';
      lines.push(`ingest ${store}: ${int(worst)} records/s (slowest batch size; up to ×${fmt(ratio, 1)} the bare INSERT)${goalText}`);
    }
    const evaluation = figures.evaluation.filter((r) => r.store === store && !r.case.startsWith('baseline'));
    if (evaluation.length > 0) {
      const worstEval = Math.max(...evaluation.filter((r) => r.case.startsWith('evaluate')).map((r) => r.medianMs));
      const worstMetrics = Math.max(...evaluation.filter((r) => r.case.startsWith('GET')).map((r) => r.medianMs));
      lines.push(`quotas ${store}: evaluate ≤ ${fmt(worstEval)} ms, GET /metrics ≤ ${fmt(worstMetrics)} ms (worst median) — goal < 50 ms: ${ok(Math.max(worstEval, worstMetrics) < 50)}`);
    }
  }
  for (const store of ['sqlite', 'postgres']) {
    const rows = figures.analyticsII.filter((r) => r.store === store && !r.case.startsWith('baseline') && !r.case.startsWith('recommendation reads'));
    if (rows.length === 0) continue;
    for (const w of ['30 days', '92 days']) {
      const read = (how) => figures.analyticsII.find((r) => r.store === store && r.case === `recommendation reads, ${w}: ${how}`);
      const [scan, four] = [read('one scan'), read('four GROUP BYs')];
      if (scan && four) lines.push(`recommendation reads ${store}, ${w}: one scan ${fmt(scan.medianMs)} ms (cpu ${fmt(scan.cpuMs)}), four GROUP BYs ${fmt(four.medianMs)} ms (cpu ${fmt(four.cpuMs)}): ×${fmt(four.medianMs / scan.medianMs, 1)} faster`);
    }
    const worst = (filter) => Math.max(...rows.filter(filter).map((r) => r.medianMs));
    const long = (r) => r.window === '13 months' || r.window === '92 days';
    const def = worst((r) => !long(r));
    const year = worst(long);
    lines.push(`chargeback + recommendations ${store}, ${int(rows[0].records)} records: ≤ ${fmt(def)} ms default windows, ≤ ${fmt(year)} ms over the longest (worst median) — goal < 1 s: ${ok(def < 1000)} (default windows), ${ok(year < 1000)} (longest)`);
  }
  if (figures.decision) {
    const gate = figures.decision.limits.find((r) => r.name.startsWith('runGates + enforcement gate'));
    lines.push(`SDK decision, 10,000 blocks: ${fmt(gate.medianNanos)} ns allowed, ${fmt(figures.decision.blockedLookupNanos)} ns blocked — goal < 1 µs: ${ok(gate.medianNanos < 1000 && figures.decision.blockedLookupNanos < 1000)}`);
  }
  for (const c of figures.crossing ?? []) {
    lines.push(`${c.name}: p95 ${c.latencyMs.p95} ms — goal p95 < 5 s: ${ok(c.latencyMs.p95 < 5000)}; overshoot p95 ${c.overshootUsd.p95} USD — goal < ${c.overshootGoalP95Usd} USD (one report interval's spend): ${ok(c.meetsOvershootGoal)}`);
  }
  if (figures.reports) {
    const audit = figures.reports.cases[0];
    lines.push(`audit report of ${int(figures.reports.records)} records: peak RSS ${fmt(audit.peakMb)} MB, ${int(audit.recordsPerSecond)} records/s (×${fmt(audit.ratioToBaseline)} the bare scan) — goal < 200 MB: ${ok(figures.reports.goalMet)}`);
  }
  lines.push(...analyticsSummary(figures.analytics));
  for (const r of figures.metricsForecast) {
    const worst = Math.max(r.stale.max, r.during.max);
    lines.push(`/metrics while the forecast of ${int(r.subjects)} subjects is recomputed (${r.store}): worst scrape ${fmt(worst)} ms, against ${fmt(r.baseline.median)} ms for a scrape that computed it (median): ×${fmt(r.baseline.median / worst, 1)}`);
  }
  for (const r of figures.metricsAnomalies) {
    const worst = Math.max(r.stale.max, r.during.max);
    lines.push(`/metrics while the anomaly detection of ${int(r.subjects)} subjects runs (${r.store}): worst scrape ${fmt(worst)} ms, against ${fmt(r.baseline.median)} ms for a scrape that ran it inline (median): ×${fmt(r.baseline.median / worst, 1)}`);
  }
  if (lines.length > 0) console.log(`\nsummary\n${lines.map((l) => `  ${l}`).join('\n')}`);
}

const started = Date.now();
console.log(`quota-webhook bench — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average at start ${load()}`);
const dir = mkdtempSync(join(tmpdir(), 'tokenmeter-bench-'));
const figures = { ingest: [], evaluation: [], analyticsII: [], metricsForecast: [], metricsAnomalies: [], decision: undefined, crossing: undefined, reports: undefined, analytics: undefined };
let postgres;
try {
  const needsPostgres = only.has('ingest') || only.has('evaluation') || only.has('analytics-ii') || only.has('analytics') || only.has('analytics-timing') || only.has('metrics-forecast') || only.has('metrics-anomalies');
  if (needsPostgres) {
    try {
      postgres = await startPostgres();
    } catch (error) {
      console.log(`\n(Postgres not available, its figures are skipped: ${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
      postgres = undefined;
    }
  }
  if (only.has('ingest')) {
    figures.ingest.push(...(await withTarget(() => sqliteTarget(dir, 'ingest'), (t) => runIngestBench(t))));
    if (postgres) figures.ingest.push(...(await withTarget(() => postgresTarget(postgres.url, 'bench_ingest'), (t) => runIngestBench(t, { sizes: [[1000, 11], [5000, 5]] }))));
  }
  if (only.has('evaluation')) {
    figures.evaluation.push(...(await withTarget(() => sqliteTarget(dir, 'evaluation'), (t) => runEvaluationBench(t, { records: evalRecords }))));
    if (postgres) figures.evaluation.push(...(await withTarget(() => postgresTarget(postgres.url, 'bench_evaluation'), (t) => runEvaluationBench(t, { records: evalRecords }))));
  }
  if (only.has('analytics-ii')) {
    figures.analyticsII.push(...(await withTarget(() => sqliteTarget(dir, 'analytics'), (t) => runAnalyticsIIBench(t, { records: analyticsRecords }))));
    if (postgres) figures.analyticsII.push(...(await withTarget(() => postgresTarget(postgres.url, 'bench_analytics'), (t) => runAnalyticsIIBench(t, { records: analyticsRecords }))));
  }
  if (only.has('metrics-forecast')) {
    figures.metricsForecast.push(...(await withTarget(() => sqliteTarget(dir, 'metrics_forecast'), (t) => runMetricsForecastBench(t))));
    if (postgres) figures.metricsForecast.push(...(await withTarget(() => postgresTarget(postgres.url, 'bench_metrics_forecast'), (t) => runMetricsForecastBench(t))));
  }
  if (only.has('metrics-anomalies')) {
    figures.metricsAnomalies.push(...(await withTarget(() => sqliteTarget(dir, 'metrics_anomalies'), (t) => runMetricsAnomaliesBench(t))));
    if (postgres) figures.metricsAnomalies.push(...(await withTarget(() => postgresTarget(postgres.url, 'bench_metrics_anomalies'), (t) => runMetricsAnomaliesBench(t))));
  }
  if (ANALYTICS_PARTS.some((p) => only.has(p)) || only.has('analytics')) figures.analytics = await runAnalyticsBench({ only, dir, postgresUrl: postgres?.url });
  if (postgres) {
    await postgres.stop();
    postgres = undefined;
  }
  if (only.has('decision')) figures.decision = await runDecisionBench();
  if (only.has('crossing')) figures.crossing = await crossing();
  if (only.has('reports')) figures.reports = await runReportsBench();
} finally {
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
}
summary(figures);
console.log(`\nbench finished in ${fmt((Date.now() - started) / 1000)} s; load average at end ${load()} (other work on this machine shows up as spread between rounds and as min well below median)`);
