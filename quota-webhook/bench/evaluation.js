/**
 * Quota evaluation and `/metrics` with 10,000 users' quotas over a month of
 * backfilled records. The quota model supports both shapes, so both are
 * measured: one hard monthly cost quota with subject "*" over scope user
 * (one window per user with usage: 10,000), and 10,000 quotas each naming one
 * user. The service's clock is fixed in the last hour of the previous
 * calendar month and the ledger holds records spread over that whole month,
 * ingested through `ControlPlane.ingest` in 5,000-record batches.
 * Measured at two ledger sizes to show evaluation does not grow with the
 * records. Baseline, same run: the same per-user figures computed from the
 * raw records (SQL GROUP BY user over the month), which must agree with the
 * evaluation to the pico-dollar.
 * `/metrics` also carries the ledger families (period totals of every scope
 * in the quotas' zone, unpriced calls, month-end projection, and the
 * directory of the 10,000 users): each renderer is measured apart too, and
 * the per-user month totals are checked equal to the GROUP BY sums.
 */
import { Registry } from 'prom-client';
import { parseUsd } from '@tokenmeter/instrumentation/pricing';
import { registerLedgerMetrics } from '../dist/metrics/ledger-metrics.js';
import { registerQuotaMetrics } from '../dist/quotas/metrics.js';
import { scrapeBytes } from './scrape.js';
import { fmt, goal, int, interleaved, median, timed } from './stats.js';
import { startBenchServer } from './ingest.js';
import { USERS, recordFactory } from './workload.js';

const GOAL_MS = 50;
const BATCH = 5000;

function quota(id, subject, nowIso) {
  return {
    id, scope: 'user', subject, metric: 'cost', period: 'month', timezone: 'UTC', limit: 50, enforcement: 'hard',
    thresholds: [0.8, 0.9, 1], created_at: nowIso, updated_at: nowIso,
  };
}

/** Every window of `statuses` against the GROUP BY sums: same users, same pico-USD. */
function checkAgainstBaseline(statuses, sums, what) {
  const seen = new Map();
  for (const s of statuses) for (const w of s.windows) seen.set(w.subject, w.usage_exact);
  if (seen.size !== sums.size) throw new Error(`${what}: ${seen.size} user windows, the records have ${sums.size} users`);
  for (const [user, sum] of sums) {
    if (seen.get(user) !== sum.cost_pico) throw new Error(`${what}: ${user} evaluates to ${seen.get(user)} pico-USD, the records sum to ${sum.cost_pico}`);
  }
}

/** The month's per-user cost in the `tokenmeter_period_cost_usd` lines of `text` against the GROUP BY sums. */
function checkPeriodGauges(text, sums, what) {
  const prefix = 'tokenmeter_period_cost_usd{period="month",timezone="UTC",scope="user",subject="';
  const seen = new Map();
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const end = line.indexOf('"} ', prefix.length);
    seen.set(line.slice(prefix.length, end), parseUsd(line.slice(end + 3)));
  }
  if (seen.size !== sums.size) throw new Error(`${what}: ${seen.size} user month series, the records have ${sums.size} users`);
  for (const [user, sum] of sums) {
    if (seen.get(user) !== sum.cost_pico) throw new Error(`${what}: ${user} is ${seen.get(user)} pico-USD, the records sum to ${sum.cost_pico}`);
  }
}

/** Runs the evaluation bench on `target`; prints a table and returns the figures. */
export async function runEvaluationBench(target, { records = 200_000, stages = 2, rounds = 15 } = {}) {
  const today = new Date();
  const monthStart = Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 1, 1);
  const monthEnd = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1);
  const nowMs = monthEnd - 30 * 60_000;
  const nowIso = new Date(nowMs).toISOString();
  const server = await startBenchServer(target.dbUrl, () => nowMs);
  const cp = server.cp;
  const results = [];
  try {
    const star = quota('bench-every-user', '*', nowIso);
    const perUser = Array.from({ length: USERS }, (_, i) => quota(`bench-user-${i}`, `user-${i}`, nowIso));
    // The quotas stored (what /metrics evaluates), switched through the API's own path: star, or the 10,000.
    let current = [];
    const useQuotas = async (list) => {
      if (list === current) return;
      for (const q of current) await cp.quotaSet.quotas.delete(q.id, 'bench');
      for (const q of list) await cp.quotaSet.quotas.put(q.id, q, 'bench', 'create');
      current = list;
    };

    // The ledger renderers on their own (the service registers the same on its registry); a directory entry per user.
    const renderQuotas = registerQuotaMetrics(new Registry(), cp);
    const renderLedger = registerLedgerMetrics(new Registry(), cp);
    for (let i = 0; i < USERS; i++) await cp.directory.put(`user-${i}`, { user: `user-${i}`, department: `dept-${i % 100}`, org: `org-${i % 10}`, updated_at: nowIso }, 'bench', 'put');

    // Records in time order over the month, as a backfill of an export would arrive.
    const span = nowMs - monthStart;
    const gen = recordFactory(`${target.kind}-month`, (n) => monthStart + Math.floor((n * span) / records));
    console.log(`\nquota evaluation and /metrics — ${target.label}`);
    console.log(`  month ${new Date(monthStart).toISOString().slice(0, 7)}, clock ${nowIso}; ${int(USERS)} users; records ingested through ControlPlane.ingest in ${int(BATCH)}-record batches`);
    let ingested = 0;
    for (let stage = 1; stage <= stages; stage++) {
      const upTo = Math.round((records * stage) / stages);
      const before = ingested;
      const backfill = await timed(async () => {
        while (ingested < upTo) {
          const size = Math.min(BATCH, upTo - ingested);
          const r = await cp.intake.ingest(gen.batch(size));
          if (r.accepted !== size || r.unpriced !== 0) throw new Error(`backfill: accepted ${r.accepted}, unpriced ${r.unpriced} of ${size}`);
          ingested += size;
        }
      });

      // One untimed pass checks the figures agree.
      const sums = await target.groupByUser(monthStart, monthEnd);
      checkAgainstBaseline(await cp.quotaSet.evaluate([star]), sums, '"*" quota');
      checkAgainstBaseline(await cp.quotaSet.evaluate(perUser), sums, '10,000 quotas');

      // Untimed: the scrape carries one usage series per user.
      const starOnly = [star];
      for (const list of [starOnly, perUser]) {
        await useQuotas(list);
        const text = await (await fetch(`${server.url}/metrics`)).text();
        const series = text.split('\ntokenmeter_quota_usage{').length - 1;
        if (series !== USERS) throw new Error(`/metrics: ${series} tokenmeter_quota_usage series, expected ${USERS}`);
        checkPeriodGauges(text, sums, '/metrics period gauges');
        const info = text.split('\ntokenmeter_directory_info{').length - 1;
        if (info !== USERS) throw new Error(`/metrics: ${info} tokenmeter_directory_info series, expected ${USERS}`);
      }
      let metricsBytes = 0;
      const scrape = async () => {
        metricsBytes = await scrapeBytes(`${server.url}/metrics`);
      };
      // Two interleaved runs, one per stored quota set (switching 10,000 stored quotas per round would swamp the run).
      const baselineCase = { name: 'baseline: SQL GROUP BY user over the month\'s records', run: () => target.groupByUser(monthStart, monthEnd) };
      const ledgerCase = { name: 'render: ledger families (period, unpriced, projection, directory)', run: renderLedger };
      const starCases = [
        { name: 'evaluate: one "*" user quota (10,000 windows)', run: () => cp.quotaSet.evaluate([star]) },
        { name: 'render: quota gauges, one "*" user quota', run: renderQuotas },
        { name: 'GET /metrics: one "*" user quota', run: scrape },
      ];
      const perUserCases = [
        { name: 'evaluate: 10,000 per-user quotas', run: () => cp.quotaSet.evaluate(perUser) },
        { name: 'render: quota gauges, 10,000 per-user quotas', run: renderQuotas },
        { name: 'GET /metrics: 10,000 per-user quotas', run: scrape },
      ];
      await useQuotas(starOnly);
      const samples = await interleaved([baselineCase, ledgerCase, ...starCases], { rounds, warmup: 3 });
      await useQuotas(perUser);
      for (const [name, s] of await interleaved([baselineCase, ledgerCase, ...perUserCases], { rounds, warmup: 3 })) {
        if (name !== baselineCase.name && name !== ledgerCase.name) samples.set(name, s);
        else {
          samples.get(name).wall.push(...s.wall);
          samples.get(name).cpu.push(...s.cpu);
        }
      }
      await useQuotas(starOnly);
      const cases = [baselineCase, ledgerCase, ...starCases, ...perUserCases];
      const baseMs = median(samples.get(cases[0].name).wall);
      console.log(`  ledger: ${int(ingested)} records (this stage's ${int(ingested - before)} backfilled at ${int(((ingested - before) / backfill.wallMs) * 1000)} records/s); /metrics body ${fmt(metricsBytes / 1e6, 1)} MB`);
      console.log(`    ${'case'.padEnd(68)}${'median ms'.padStart(10)}${'min ms'.padStart(9)}${'node CPU ms'.padStart(13)}  baseline ÷ time (× faster)`);
      for (const c of cases) {
        const s = samples.get(c.name);
        const ms = median(s.wall);
        const baseline = c === cases[0];
        results.push({ store: target.kind, records: ingested, case: c.name, medianMs: ms, minMs: Math.min(...s.wall), nodeCpuMs: median(s.cpu), speedupVsBaseline: baseMs / ms, rounds });
        const mark = baseline ? '' : `  ${fmt(baseMs / ms, 1)}×${ms < GOAL_MS ? '' : '  (over 50 ms)'}`;
        console.log(`    ${c.name.padEnd(68)}${fmt(ms).padStart(10)}${fmt(Math.min(...s.wall)).padStart(9)}${fmt(median(s.cpu)).padStart(13)}${mark}`);
      }
    }
    const measured = results.filter((r) => !r.case.startsWith('baseline'));
    const worst = Math.max(...measured.map((r) => r.medianMs));
    console.log(`  medians of ${rounds} interleaved rounds (3 warm-up); evaluation checked equal to the GROUP BY sums, to the pico-USD; /metrics read by a`);
    console.log(`  plain HTTP client in this process; slowest case ${fmt(worst)} ms (goal < ${GOAL_MS} ms: ${goal(worst < GOAL_MS)})`);
    return results;
  } finally {
    await server.close();
  }
}
