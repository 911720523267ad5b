/**
 * Analytics endpoint timings over a large ledger: `BENCH_ANALYTICS_RECORDS`
 * (default 1,000,000) records over 13 months before the service's clock,
 * from 20 departments (400 users, 10 features, 2 models), with an
 * office-hours and weekday pattern, ingested through `UsageIntake.ingest` in
 * 5,000-record batches. Then, over HTTP with the read token, medians of
 * interleaved rounds of summary, forecast and anomalies for one department
 * (~50,000 records) and for everything (scope omitted: every record), and
 * every department's forecast requested at once. Baseline, same run: the
 * naive way to get the department's daily history, a GROUP BY day over its
 * raw records for the 13 months. Goals (issue 11): each < 200 ms; all
 * departments' forecasts < 2 s; on SQLite and on Postgres. "node CPU" is
 * this process's CPU time per round (SQLite runs in it; Postgres in its own
 * processes): on a loaded machine it shows how much of the wall time is ours.
 */
import { get } from 'node:http';
import { startBenchServer } from './ingest.js';
import { fmt, int, interleaved, median } from './stats.js';
import { postgresTarget, sqliteTarget } from './targets.js';

const DEPARTMENTS = 20;
const USERS = 400;
const DAY = 86_400_000;
const NOW = Date.parse('2026-02-15T12:00:00Z');
const START = Date.parse('2025-01-15T00:00:00Z');
const BATCH = 5000;
const READ = 'bench-read';
const GOAL_MS = 200;
const GOAL_ALL_MS = 2000;

const MODELS = [
  { provider: 'openai', request: 'gpt-4o-mini', response: 'gpt-4o-mini-2024-07-18' },
  { provider: 'anthropic', request: 'claude-sonnet-4-5', response: 'claude-sonnet-4-5-20250929' },
];

/** Hour-of-week weights: office hours on weekdays busy, nights and weekends quiet. */
const WEIGHTS = Array.from({ length: 168 }, (_, h) => {
  const day = Math.floor(h / 24);
  const hour = h % 24;
  return (hour >= 8 && hour < 19 ? 1 : 0.15) * (day >= 5 ? 0.3 : 1);
});
const CUMULATIVE = (() => {
  const out = [];
  let s = 0;
  for (const w of WEIGHTS) out.push((s += w));
  return out.map((v) => v / s);
})();

/** The n-th of `total` records: its week is spread evenly, its hour of week drawn by the weights (deterministic). */
function timeOf(n, total) {
  const weeks = (NOW - START) / (7 * DAY);
  const week = Math.floor((n / total) * weeks);
  const u = ((n * 2654435761) % 1_000_003) / 1_000_003;
  let h = 0;
  while (CUMULATIVE[h] < u) h++;
  const t = START + week * 7 * DAY + h * 3_600_000 + ((n * 7919) % 3_600_000);
  return Math.min(t, NOW - 1);
}

function batchOf(from, size, total) {
  const out = new Array(size);
  for (let i = 0; i < size; i++) {
    const n = from + i;
    const user = (n * 31) % USERS;
    const model = MODELS[n % 2];
    out[i] = {
      id: `an-${n}`, time: new Date(timeOf(n, total)).toISOString(), org: 'acme', department: `dept-${user % DEPARTMENTS}`, user: `user-${user}`,
      feature: `feature-${n % 10}`, session: `session-${Math.floor(n / 20)}`, provider: model.provider, operation: 'chat',
      request_model: model.request, response_model: model.response,
      tokens: { input: 200 + (n % 800), output: 20 + (n % 300), cache_read: n % 3 === 0 ? 100 : 0 },
      cost_usd: null, outcome: n % 97 === 0 ? 'error' : 'ok', latency_ms: 100 + (n % 900), source: 'sdk',
    };
  }
  return out;
}

/** GET and parse, a fresh connection each time (no keep-alive race with the server's idle timeout between rounds). */
function getJson(url) {
  return new Promise((resolve, reject) => {
    get(url, { agent: false, headers: { authorization: `Bearer ${READ}` } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode === 200) resolve(JSON.parse(text));
        else reject(new Error(`${url}: ${res.statusCode} ${text}`));
      });
      res.on('error', reject);
    }).on('error', reject);
  });
}

async function runOn(target, records) {
  const server = await startBenchServer(target.dbUrl, () => NOW);
  const cp = server.cp;
  try {
    const t0 = Date.now();
    for (let i = 0; i < records; i += BATCH) {
      const size = Math.min(BATCH, records - i);
      const r = await cp.intake.ingest(batchOf(i, size, records));
      if (r.accepted !== size) throw new Error(`ingest: accepted ${r.accepted} of ${size}`);
    }
    const ingestS = (Date.now() - t0) / 1000;
    console.log(`\nanalytics timings — ${target.label}: ${int(records)} records over 13 months ingested in ${fmt(ingestS)} s`);
    const api = `${server.url}/api/v1/analytics`;
    const dept = 'scope=department&subject=dept-3&tz=Europe/Berlin';
    const all = 'tz=Europe/Berlin';
    const deptCount = Number((await cp.store.readQuery('SELECT COUNT(*) AS n FROM records WHERE department = ?', ['dept-3']))[0].n);
    const baselineSql = 'SELECT (time_ms - (time_ms % 86400000)) AS d, COUNT(*) AS n, SUM(input) AS i, SUM(output) AS o, SUM(cost_pico / 1000000) AS c FROM records WHERE department = ? AND time_ms >= ? AND time_ms < ? GROUP BY d';
    const cases = [
      { name: `baseline: GROUP BY day over the department's raw records (13 months, ${int(deptCount)} records)`, run: () => cp.store.readQuery(baselineSql, ['dept-3', START, NOW]) },
      { name: 'GET summary, one department', run: () => getJson(`${api}/summary?${dept}`) },
      { name: 'GET forecast, one department', run: () => getJson(`${api}/forecast?${dept}`) },
      { name: 'GET anomalies, one department (7 days hourly, 8-week baseline)', run: () => getJson(`${api}/anomalies?${dept}&min_impact_usd=0`) },
      { name: `GET summary, everything (${int(records)} records)`, run: () => getJson(`${api}/summary?${all}`) },
      { name: 'GET forecast, everything', run: () => getJson(`${api}/forecast?${all}`) },
      { name: 'GET anomalies, everything', run: () => getJson(`${api}/anomalies?${all}&min_impact_usd=0`) },
      {
        name: `GET forecast for all ${DEPARTMENTS} departments at once (concurrent requests)`,
        run: () => Promise.all(Array.from({ length: DEPARTMENTS }, (_, d) => getJson(`${api}/forecast?scope=department&subject=dept-${d}&tz=Europe/Berlin`))),
      },
    ];
    const samples = await interleaved(cases, { rounds: Number(process.env.BENCH_ANALYTICS_ROUNDS ?? 7), warmup: 1 });
    const rows = [];
    const base = median(samples.get(cases[0].name).wall);
    console.log(`  ${'case'.padEnd(84)}${'median ms'.padStart(10)}${'min ms'.padStart(9)}${'node CPU ms'.padStart(13)}  × baseline`);
    for (const c of cases) {
      const { wall, cpu } = samples.get(c.name);
      const m = median(wall);
      rows.push({ store: target.kind, case: c.name, medianMs: m, cpuMs: median(cpu) });
      console.log(`  ${c.name.padEnd(84)}${fmt(m).padStart(10)}${fmt(Math.min(...wall)).padStart(9)}${fmt(median(cpu)).padStart(13)}  ${fmt(m / base, 1)}`);
    }
    return rows;
  } finally {
    await server.close();
  }
}

export async function runAnalyticsTimingBench({ dir, postgresUrl }) {
  const records = Number(process.env.BENCH_ANALYTICS_RECORDS ?? 1_000_000);
  const rows = [];
  const sqlite = sqliteTarget(dir, 'analytics');
  try {
    rows.push(...(await runOn(sqlite, records)));
  } finally {
    await sqlite.close();
  }
  if (postgresUrl) {
    const pgTarget = await postgresTarget(postgresUrl, 'bench_analytics');
    try {
      rows.push(...(await runOn(pgTarget, records)));
    } finally {
      await pgTarget.close();
    }
  } else console.log('\n(Postgres not available: its analytics timings are skipped)');
  const summary = [];
  for (const store of ['sqlite', 'postgres']) {
    const mine = rows.filter((r) => r.store === store);
    if (mine.length === 0) continue;
    const single = mine.filter((r) => r.case.startsWith('GET') && !r.case.includes('all '));
    const worst = single.reduce((a, r) => (r.medianMs > a.medianMs ? r : a));
    const allDepts = mine.find((r) => r.case.includes('all '));
    summary.push(`analytics ${store}, ${int(records)} records: slowest single answer ${fmt(worst.medianMs)} ms (${worst.case.replace('GET ', '')}) — goal < ${GOAL_MS} ms: ${worst.medianMs < GOAL_MS ? 'met' : 'NOT met'}; all departments' forecasts ${fmt(allDepts.medianMs)} ms — goal < ${GOAL_ALL_MS} ms: ${allDepts.medianMs < GOAL_ALL_MS ? 'met' : 'NOT met'}`);
  }
  return { rows, summary };
}
