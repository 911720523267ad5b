/**
 * `/metrics` while the ledger anomaly detection runs, with many subjects:
 * `BENCH_ANOMALY_RECORDS` (default 300,000) records over the 64 days the
 * detection reads (many-subjects.js: 200 departments, 200 features, 2
 * providers and 2 models, so 405 subjects with the total; one call in 50
 * failed) and a runaway department in the last hours, ingested through
 * `UsageIntake.ingest`.
 * Each round moves the service's clock into a new UTC hour (a detection is
 * due) and scrapes over HTTP: the scrape that starts the detection, then
 * scrape after scrape until it is done (back to back: far more often than a
 * scraper, the worst case), then one on the fresh figures; then a new hour
 * again with nothing competing, the detection timed alone. Figures: median,
 * p99 and worst.
 * Baseline, same run: the old inline scrape, i.e. a scrape on fresh figures
 * plus the detection as the scrape ran it before it moved to the background
 * (one read of every subject per scope, then each subject's detection; its
 * anomalies are checked equal to the background detection's).
 * The month-end forecast (also in the background) is limited to scope `all`.
 */
import { defaultConfig, startServer } from '../dist/index.js';
import { anomaliesUnderWay, MONITORED_SCOPES, monitoredRange } from '../dist/analytics/monitor.js';
import { localSeries } from '../dist/analytics/series.js';
import { BATCH, DEPARTMENTS, FEATURES, manySubjectsBatch, USERS } from './many-subjects.js';
import { scrapeBytes } from './scrape.js';
import { distribution, fmt, int, timed } from './stats.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A batch of the bench's ledger (ids `ma-…`, one call in 50 failed). */
const batchOf = (from, size, total, start, end) => manySubjectsBatch(from, size, total, { start, end, idPrefix: 'ma', errorEvery: 50 });

/** A runaway batch job of dept-0 in the three hours before `end`: something for the detection to find. */
function runaway(end) {
  return Array.from({ length: 600 }, (_, i) => ({
    ...batchOf(1, 1, 1, end - 3 * HOUR, end)[0], id: `ma-runaway-${i}`, time: new Date(end - 3 * HOUR + i * 18_000).toISOString(),
    department: 'dept-0', feature: 'feature-0', tokens: { input: 20_000, output: 2000 },
  }));
}

/** The detection as a scrape ran it before it moved to the background: one read per scope, every subject's series at once. */
async function inlineDetection(cp, hourEndMs) {
  const out = [];
  for (const scope of MONITORED_SCOPES) {
    const series = await localSeries(cp, { scope, ...monitoredRange(hourEndMs), tz: 'UTC', granularity: 'hour' });
    for (const [subject, usage] of series.bySubject) out.push(...anomaliesUnderWay(scope, subject, series.starts, usage));
  }
  return out;
}

const keys = (list) => list.map((a) => `${a.key} ${a.labels.kind} ${a.impactUsd.toFixed(9)}`).sort().join('\n');

async function measure(target, { records, rounds }) {
  let nowMs = Date.UTC(2026, 2, 15, 12, 0, 30);
  const server = await startServer({
    config: defaultConfig({
      host: '127.0.0.1', port: 0, dbUrl: target.dbUrl, logLevel: 'silent', tokens: { admin: 'bench-admin', read: 'bench-read', ingest: 'bench-ingest' },
      metricsForecastMaxSubjects: 0,
    }),
    clock: () => nowMs,
    processMetrics: false,
    onError: (error) => console.error('control plane error:', error),
  });
  const { cp } = server;
  const monitor = cp.anomalyMonitor;
  try {
    const start = nowMs - 64 * DAY;
    for (let n = 0; n < records; n += BATCH) {
      const size = Math.min(BATCH, records - n);
      const r = await cp.intake.ingest(batchOf(n, size, records, start, nowMs - 1000));
      if (r.accepted !== size) throw new Error(`backfill: accepted ${r.accepted} of ${size}`);
    }
    await cp.intake.ingest(runaway(nowMs - 30_000));
    const url = `${server.url}/metrics`;
    const stale = [];
    const during = [];
    const fresh = [];
    const background = [];
    const inline = [];
    const baseline = [];
    let found = 0;
    let bytes = 0;
    for (let r = -1; r < rounds; r++) {
      // A new hour: scrape after scrape while the detection runs.
      nowMs += HOUR;
      const first = await timed(() => scrapeBytes(url));
      const mid = [];
      while (monitor.computing) mid.push((await timed(() => scrapeBytes(url))).wallMs);
      await monitor.settled();
      const after = await timed(async () => { bytes = await scrapeBytes(url); });
      // Another hour, nothing competing: the detection alone, then as the scrape ran it before.
      nowMs += HOUR;
      const alone = await timed(() => scrapeBytes(url));
      await monitor.settled();
      const published = monitor.published;
      if (published?.hourEndMs !== Math.floor(nowMs / HOUR) * HOUR) throw new Error('the detection of the hour was not published');
      const old = await timed(() => inlineDetection(cp, published.hourEndMs));
      if (keys(old.value) !== keys(published.active)) throw new Error(`the background detection differs from the inline one:\n${keys(published.active)}\n--\n${keys(old.value)}`);
      found = Math.max(found, published.active.length);
      if (r < 0) continue; // warm-up round
      stale.push(first.wallMs, alone.wallMs);
      during.push(...mid);
      fresh.push(after.wallMs);
      background.push(published.durationMs);
      inline.push(old.wallMs);
      baseline.push(after.wallMs + old.wallMs);
    }
    return {
      stale: distribution(stale), during: distribution(during), fresh: distribution(fresh), background: distribution(background),
      inline: distribution(inline), baseline: distribution(baseline), subjects: monitor.published.subjects, found, bytes,
    };
  } finally {
    await server.close();
  }
}

/** Runs the bench on `target` (targets.js); prints a table and returns the figures. */
export async function runMetricsAnomaliesBench(target, { records = Number(process.env.BENCH_ANOMALY_RECORDS ?? 300_000), rounds = 3 } = {}) {
  console.log(`\n/metrics while the ledger anomaly detection runs — ${target.label}`);
  console.log(`  ${int(records)} records over 64 days: ${DEPARTMENTS} departments, ${FEATURES} features, 2 providers, 2 models, ${int(USERS)} users; ${rounds} rounds after a warm-up`);
  const f = await measure(target, { records, rounds });
  console.log(`  ${int(f.subjects)} subjects per detection, up to ${f.found} anomalies under way (the same as the inline detection's); /metrics body ${fmt(f.bytes / 1e3, 0)} kB`);
  console.log(`    ${'case'.padEnd(66)}${'median ms'.padStart(10)}${'p99 ms'.padStart(10)}${'worst ms'.padStart(10)}${'n'.padStart(6)}`);
  const line = (name, s) => console.log(`    ${name.padEnd(66)}${fmt(s.median).padStart(10)}${fmt(s.p99).padStart(10)}${fmt(s.max).padStart(10)}${String(s.n).padStart(6)}`);
  line('baseline: scrape running the detection inline (before)', f.baseline);
  line('  of which the detection, one read per scope', f.inline);
  line('GET /metrics in a new hour (starts the detection)', f.stale);
  line('GET /metrics while the detection runs', f.during);
  line('GET /metrics on fresh figures', f.fresh);
  line('detection in the background, one read per subject, no scrape', f.background);
  const worst = Math.max(f.stale.max, f.during.max);
  console.log(`    worst scrape ${fmt(worst)} ms against ${fmt(f.baseline.median)} ms (median) for a scrape that ran the detection inline: ×${fmt(f.baseline.median / worst, 1)} faster`);
  return [{ store: target.kind, records, subjects: f.subjects, ...Object.fromEntries(['baseline', 'inline', 'stale', 'during', 'fresh', 'background'].map((k) => [k, f[k]])) }];
}
