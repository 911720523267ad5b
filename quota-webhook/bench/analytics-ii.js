/**
 * Chargeback and recommendations over a 1,000,000-record ledger (13 months,
 * 1,000 users, 50 features; bench/analytics-ii-workload.js), ingested through
 * `ControlPlane.ingest`. Measured through HTTP as a client calls them:
 * `GET /analytics/allocation`, `/top`, `/efficiency` and `/recommendations`,
 * each over its default window (the month to date; 30 days for
 * recommendations) and over the longest (the whole 13 months; 92 days, the
 * longest evidence window, for recommendations). Baseline, same run: the
 * ledger's raw `GROUP BY feature` (count, tokens, cost) over each window, on
 * its own connection. Goal (issue 12): each under 1 s. SQLite also times,
 * in this process, the recommendations' reading of the ledger both ways: its
 * one scan of the window (what the endpoint uses there) and the four
 * GROUP BYs that Postgres runs (the endpoint's reading before the scan).
 * CPU: this process's (on Postgres the server's work is not in it).
 * `BENCH_ANALYTICS_RECORDS` sets the ledger size (default 1,000,000).
 */
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { readQueryOf } from '../dist/analytics/reads.js';
import { windowAggregates } from '../dist/analytics/recommendations/engine.js';
import { startBenchServer } from './ingest.js';
import { analyticsFactory } from './analytics-ii-workload.js';
import { fmt, goal, int, interleaved, median, timed } from './stats.js';

const GOAL_MS = 1000;
const BATCH = 5000;
const READ_TOKEN = 'bench-read';
const ADMIN_TOKEN = 'bench-admin';
/** The bench's clock: the catalog prices every model of the workload over the 13 months before it. */
const NOW = Date.parse('2026-11-20T12:00:00Z');
const START = Date.UTC(2025, 9, 20, 12);

const BASELINE_SQL = `SELECT feature, COUNT(*) AS requests, SUM(tokens) AS tokens, COALESCE(SUM(cost_pico), 0) AS cost
  FROM records WHERE time_ms >= ? AND time_ms < ? GROUP BY feature`;

function baselineRunner(target) {
  if (target.kind === 'sqlite') {
    let db;
    return {
      run(from, to) {
        db ??= new DatabaseSync(target.dbUrl, { readOnly: true });
        const stmt = db.prepare(BASELINE_SQL);
        stmt.setReadBigInts(true);
        return stmt.all(from, to);
      },
      close: () => db?.close(),
    };
  }
  const pool = new pg.Pool({ connectionString: target.dbUrl, max: 1 });
  let i = 0;
  const sql = BASELINE_SQL.replace(/\?/g, () => `$${++i}`);
  return {
    run: async (from, to) => (await pool.query(sql, [from, to])).rows,
    // Planner statistics as autovacuum keeps them in a running service (a backfill outpaces it).
    analyze: () => pool.query('ANALYZE'),
    close: () => pool.end(),
  };
}

async function getJson(url, token) {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const body = await res.json();
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

export async function runAnalyticsIIBench(target, { records = 1_000_000, rounds = 5 } = {}) {
  const server = await startBenchServer(target.dbUrl, () => NOW);
  const results = [];
  const baseline = baselineRunner(target);
  try {
    console.log(`\nchargeback and recommendations — ${target.label}`);
    const gen = analyticsFactory(`${target.kind}-a2`, START, NOW, records);
    const backfill = await timed(async () => {
      while (!gen.done) {
        const batch = gen.batch(BATCH);
        const r = await server.cp.intake.ingest(batch);
        if (r.accepted !== batch.length) throw new Error(`backfill: accepted ${r.accepted} of ${batch.length}`);
      }
    });
    await baseline.analyze?.();
    console.log(`  ledger: ${int(records)} records over ${new Date(START).toISOString().slice(0, 10)} … ${new Date(NOW).toISOString().slice(0, 10)}, ingested at ${int((records / backfill.wallMs) * 1000)} records/s`);
    const put = await fetch(`${server.url}/api/v1/allocation-rules/platform-search`, {
      method: 'PUT', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ description: 'shared search', match: { feature: 'platform-search' } }),
    });
    if (put.status >= 300) throw new Error(`PUT allocation rule: ${put.status} ${await put.text()}`);

    const api = (path) => `${server.url}/api/v1/analytics/${path}`;
    const whole = `from=${new Date(START).toISOString()}`;
    const monthStart = Date.UTC(2026, 10, 1);
    // Untimed: the allocation reconciles with the baseline's sums, to the pico-dollar.
    for (const [from, query] of [[monthStart, ''], [START, `&${whole}`]]) {
      const body = await getJson(`${api('allocation')}?levels=org,department,feature,investigation&shared=proportional${query}`, READ_TOKEN);
      const rows = await baseline.run(from, NOW);
      const sum = rows.reduce((a, r) => a + BigInt(r.cost), 0n);
      if (!body.reconciliation.reconciled) throw new Error(`allocation does not reconcile: ${JSON.stringify(body.reconciliation)}`);
      const ledger = body.reconciliation.ledger_total_usd;
      const [whole_, frac = ''] = ledger.split('.');
      if (BigInt(whole_) * 10n ** 12n + BigInt(frac.padEnd(12, '0')) !== sum) throw new Error(`allocation ledger total ${ledger} ≠ GROUP BY sum ${sum} pico-USD`);
    }
    const recs = await getJson(`${api('recommendations')}?min_savings_usd=0&limit=1000`, READ_TOKEN);
    const types = [...new Set(recs.recommendations.map((r) => r.type))].sort();
    console.log(`  checked: allocation balances and equals the GROUP BY sum to the pico-USD; recommendations found: ${types.join(', ')}`);

    const d30 = NOW - 30 * 86_400_000;
    const d92 = NOW - 92 * 86_400_000;
    const windows = { 'month to date': monthStart, '30 days': d30, '92 days': d92, '13 months': START };
    const baselines = Object.entries(windows).map(([w, from]) => ({ name: `baseline: GROUP BY feature, ${w}`, window: w, run: () => baseline.run(from, NOW) }));
    const cases = [
      ...baselines,
      { name: 'allocation, month to date', window: 'month to date', run: () => getJson(`${api('allocation')}?levels=org,department,feature,investigation`, READ_TOKEN) },
      { name: 'allocation, 13 months', window: '13 months', run: () => getJson(`${api('allocation')}?levels=org,department,feature,investigation&${whole}`, READ_TOKEN) },
      { name: 'top users, month to date', window: 'month to date', run: () => getJson(`${api('top')}?group_by=user&limit=20`, READ_TOKEN) },
      { name: 'top users, 13 months', window: '13 months', run: () => getJson(`${api('top')}?group_by=user&limit=20&${whole}`, READ_TOKEN) },
      { name: 'efficiency by feature, month to date', window: 'month to date', run: () => getJson(`${api('efficiency')}?group_by=feature`, READ_TOKEN) },
      { name: 'efficiency by feature, 13 months', window: '13 months', run: () => getJson(`${api('efficiency')}?group_by=feature&${whole}`, READ_TOKEN) },
      { name: 'recommendations, 30 days', window: '30 days', run: () => getJson(api('recommendations'), READ_TOKEN) },
      { name: 'recommendations, 92 days (longest)', window: '92 days', run: () => getJson(`${api('recommendations')}?from=${new Date(d92).toISOString()}`, READ_TOKEN) },
    ];
    const samples = await interleaved(cases, { rounds, warmup: 1 });
    if (target.kind === 'sqlite') {
      // Rounds of their own: calls that hold the event loop for seconds between HTTP requests race the idle connections' keep-alive timeout.
      const scan = readQueryOf(server.cp);
      const fourQueries = (sql, params) => scan(sql, params); // no dialect: the four GROUP BYs
      const reads = [];
      for (const [w, from] of [['30 days', d30], ['92 days', d92]]) {
        const slice = { fromMs: from, toMs: NOW };
        reads.push(
          { name: `recommendation reads, ${w}: one scan`, window: w, run: () => windowAggregates(scan, slice, []) },
          { name: `recommendation reads, ${w}: four GROUP BYs`, window: w, run: () => windowAggregates(fourQueries, slice, []) },
        );
      }
      for (const [name, s] of await interleaved(reads, { rounds, warmup: 1 })) samples.set(name, s);
      cases.push(...reads);
    }
    const baseOf = Object.fromEntries(baselines.map((b) => [b.window, median(samples.get(b.name).wall)]));
    console.log(`    ${'case'.padEnd(46)}${'median ms'.padStart(10)}${'min ms'.padStart(9)}${'cpu ms'.padStart(9)}  time ÷ baseline of its window`);
    for (const c of cases) {
      const s = samples.get(c.name);
      const ms = median(s.wall);
      const base = baseOf[c.window];
      const isBase = c.name.startsWith('baseline');
      const cpu = median(s.cpu);
      results.push({ store: target.kind, records, case: c.name, window: c.window, medianMs: ms, minMs: Math.min(...s.wall), cpuMs: cpu, ratioToBaseline: ms / base, rounds });
      console.log(`    ${c.name.padEnd(46)}${fmt(ms).padStart(10)}${fmt(Math.min(...s.wall)).padStart(9)}${fmt(cpu).padStart(9)}${isBase ? '' : `  ×${fmt(ms / base, 1)}${ms < GOAL_MS ? '' : '  (over 1 s)'}`}`);
    }
    const measured = results.filter((r) => !r.case.startsWith('baseline') && !r.case.startsWith('recommendation reads'));
    const worst = Math.max(...measured.map((r) => r.medianMs));
    console.log(`  medians of ${rounds} interleaved rounds (1 warm-up), HTTP GET with JSON parsing in this process; slowest ${fmt(worst)} ms (goal < 1 s: ${goal(worst < GOAL_MS)})`);
    return results;
  } finally {
    await baseline.close();
    await server.close();
  }
}
