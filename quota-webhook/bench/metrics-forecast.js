/**
 * `/metrics` while the month-end forecast (`method="forecast"`) is recomputed,
 * with many subjects: `BENCH_FORECAST_RECORDS` (default 200,000) records over
 * the 26 weeks before the service's clock from 200 departments, 200 features,
 * 10 orgs and 2 providers (2,000 users), ingested through `UsageIntake.ingest`.
 * Each round makes the forecast stale twice the way production does (one new
 * record, the clock a minute on) and scrapes over HTTP: first the scrape that
 * finds it stale, then scrape after scrape until the recomputation is done
 * (back to back: far more often than a scraper, the worst case), then one on
 * the fresh figures; then the stale scrape again with nothing competing with
 * the recomputation, which is timed alone. Figures: median, p99 and worst.
 * Baseline, same run: that stale scrape plus the recomputation alone, i.e.
 * what a scrape cost when it computed the forecast itself (before the forecast
 * moved to the background).
 * Run twice: with every exported subject forecast (`forecastMaxSubjects` =
 * 10,000, the cost of the work itself) and with the default cap.
 */
import { defaultConfig, startServer } from '../dist/index.js';
import { BATCH, DEPARTMENTS, FEATURES, manySubjectsBatch, USERS } from './many-subjects.js';
import { scrapeBytes } from './scrape.js';
import { distribution as stat, fmt, int, timed } from './stats.js';

const DAY = 86_400_000;
/** A batch of the bench's ledger (ids `mf-…`). */
const batchOf = (from, size, total, start, end) => manySubjectsBatch(from, size, total, { start, end, idPrefix: 'mf' });

async function measure(target, { records, rounds, maxSubjects }) {
  // Mid-month, so the month has days before today and days to come.
  const today = new Date();
  let nowMs = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 15, 12, 0, 0);
  const server = await startServer({
    config: defaultConfig({
      host: '127.0.0.1', port: 0, dbUrl: target.dbUrl, logLevel: 'silent', tokens: { admin: 'bench-admin', read: 'bench-read', ingest: 'bench-ingest' },
      metricsForecastMaxSubjects: maxSubjects,
    }),
    clock: () => nowMs,
    processMetrics: false,
    onError: (error) => console.error('control plane error:', error),
  });
  const { cp } = server;
  const forecast = cp.monthEndForecast;
  try {
    const start = nowMs - 182 * DAY;
    // The second run reuses the first one's ledger.
    const held = await cp.store.countRecords();
    for (let n = held >= records ? records : 0; n < records; n += BATCH) {
      const size = Math.min(BATCH, records - n);
      const r = await cp.intake.ingest(batchOf(n, size, records, start, nowMs - 1));
      if (r.accepted !== size) throw new Error(`backfill: accepted ${r.accepted} of ${size}`);
    }
    const url = `${server.url}/metrics`;
    // The first scrape also starts the hour's ledger anomaly detection (in the background too): done before anything
    // is timed; the clock stays in this hour.
    await scrapeBytes(url);
    await Promise.all([forecast.settled(), cp.anomalyMonitor.settled()]);
    const stale = [];
    const during = [];
    const fresh = [];
    const computing = [];
    const baseline = [];
    let bytes = 0;
    let extra = 0;
    // Production makes the forecast stale this way: the ledger changes and a minute passes.
    const makeStale = async () => {
      await cp.intake.ingest([{ ...batchOf(0, 1, 1, nowMs - 1000, nowMs)[0], id: `mf-extra-${maxSubjects}-${extra++}` }]);
      nowMs += 61_000;
    };
    for (let r = -1; r < rounds; r++) {
      // Scrape after scrape while the recomputation runs (far more often than a scraper would: the worst case).
      await makeStale();
      const first = await timed(() => scrapeBytes(url));
      const mid = [];
      while (forecast.computing) mid.push((await timed(() => scrapeBytes(url))).wallMs);
      await forecast.settled();
      const after = await timed(async () => { bytes = await scrapeBytes(url); });
      // The recomputation alone (no scrape competing): what a stale scrape waited for before.
      await makeStale();
      const alone = await timed(() => scrapeBytes(url));
      await forecast.settled();
      if (r < 0) continue; // warm-up round
      stale.push(first.wallMs, alone.wallMs);
      during.push(...mid);
      fresh.push(after.wallMs);
      computing.push(forecast.published.durationMs);
      baseline.push(alone.wallMs + forecast.published.durationMs);
    }
    return { stale: stat(stale), during: stat(during), fresh: stat(fresh), computing: stat(computing), baseline: stat(baseline), subjects: forecast.published.subjects, bytes };
  } finally {
    await server.close();
  }
}

/** Runs the bench on `target` (targets.js); prints a table and returns the figures. */
export async function runMetricsForecastBench(target, { records = Number(process.env.BENCH_FORECAST_RECORDS ?? 200_000), rounds = 4 } = {}) {
  console.log(`\n/metrics while the month-end forecast is recomputed — ${target.label}`);
  console.log(`  ${int(records)} records over 26 weeks: ${DEPARTMENTS} departments, ${FEATURES} features, 10 orgs, 2 providers, ${int(USERS)} users; ${rounds} rounds after a warm-up`);
  const results = [];
  for (const [label, maxSubjects] of [['every subject (cap 10,000)', 10_000], ['default cap', undefined]]) {
    const f = await measure(target, { records, rounds, maxSubjects: maxSubjects ?? defaultConfig().metricsForecastMaxSubjects });
    const cap = maxSubjects ?? defaultConfig().metricsForecastMaxSubjects;
    console.log(`  forecast of ${label === 'default cap' ? `the costliest ${cap} per scope (default cap)` : label}: ${int(f.subjects)} subjects per recomputation; /metrics body ${fmt(f.bytes / 1e3, 0)} kB`);
    console.log(`    ${'case'.padEnd(62)}${'median ms'.padStart(10)}${'p99 ms'.padStart(10)}${'worst ms'.padStart(10)}${'n'.padStart(6)}`);
    const line = (name, s) => console.log(`    ${name.padEnd(62)}${fmt(s.median).padStart(10)}${fmt(s.p99).padStart(10)}${fmt(s.max).padStart(10)}${String(s.n).padStart(6)}`);
    line('baseline: stale scrape computing the forecast in it (before)', f.baseline);
    line('GET /metrics finding the forecast stale (starts it)', f.stale);
    line('GET /metrics while the recomputation runs', f.during);
    line('GET /metrics on fresh figures', f.fresh);
    line('recomputation in the background, no scrape competing', f.computing);
    const worst = Math.max(f.stale.max, f.during.max);
    console.log(`    worst scrape ${fmt(worst)} ms against ${fmt(f.baseline.median)} ms (median) for a scrape that computed the forecast: ×${fmt(f.baseline.median / worst, 1)} faster`);
    results.push({ store: target.kind, records, case: label, maxSubjects: cap, subjects: f.subjects, ...Object.fromEntries(['baseline', 'stale', 'during', 'fresh', 'computing'].map((k) => [k, f[k]])) });
  }
  return results;
}
