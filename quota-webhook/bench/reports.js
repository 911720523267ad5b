/**
 * Reports at scale: a month of 1,000,000 ledger records (SQLite file), each
 * report run by the real service (`node dist/main.js`, a fresh process per
 * run) through `POST /api/v1/reports`, the response read to the end.
 * Figures per case: wall time, records per second, bytes, and the service's
 * peak resident memory (Linux `VmHWM` of the process, i.e. the high-water
 * mark since it started), next to the same service idle (its peak after
 * start-up, before any report). Goal: the audit report of the 1M records
 * (every record one row, streamed) peaks under 200 MB.
 * Baseline in the same run: the database read alone — a bare `node:sqlite`
 * iteration of the same records in the same (time, id) order in a fresh
 * process, nothing formatted.
 *
 *   npx tsc -b && node quota-webhook/bench/reports.js
 *
 * `BENCH_REPORT_RECORDS` (default 1,000,000) and `BENCH_REPORT_ROUNDS`
 * (default 3, for the audit CSV and the baseline; the other cases run once).
 * `runReportsBench()` is what bench/run.js calls.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PriceCatalog } from '@tokenmeter/instrumentation/pricing';
import { freePort, waitForHttp } from '@tokenmeter/testkit';
import { toLedgerRow } from '../dist/ledger/ledger.js';
import { SqliteStore } from '../dist/store/sqlite.js';
import { fmt, int, median } from './stats.js';
import { recordFactory } from './workload.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const FROM = Date.parse('2026-03-01T00:00:00Z');
const TO = Date.parse('2026-04-01T00:00:00Z');
const TOKEN = 'bench-reports-admin-token';
const GOAL_MB = 200;

/** Fills `dbPath` with `count` records spread over March 2026 (priced with the bundled list prices). */
async function seed(dbPath, count) {
  const store = new SqliteStore(dbPath, { synchronous: 'normal' });
  await store.init();
  const catalog = PriceCatalog.bundled();
  const step = (TO - FROM) / count;
  const factory = recordFactory('rep', (n) => FROM + Math.floor(n * step));
  const now = Date.now();
  const none = () => ({ totals: [], rollup: [] });
  for (let done = 0; done < count; done += 10_000) {
    const batch = factory.batch(Math.min(10_000, count - done)).map((r) => toLedgerRow(r, catalog, () => undefined, now));
    await store.ingest(batch, none);
  }
  await store.close();
}

function peakRssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)[1]) / 1024;
}

function exited(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** One report in a fresh control plane process: wall ms, bytes, idle and peak RSS (MB). */
async function serviceRun(dbPath, definition) {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env, TOKENMETER_CONTROL_PLANE_HOST: '127.0.0.1', TOKENMETER_CONTROL_PLANE_PORT: String(port), TOKENMETER_DB_URL: `file:${dbPath}`,
      TOKENMETER_ADMIN_TOKEN: TOKEN, TOKENMETER_LOG_LEVEL: 'warn', TOKENMETER_REPORT_SCHEDULER: 'false',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const died = exited(child).then(() => { throw new Error(`the control plane exited (${child.exitCode ?? child.signalCode}) before it was ready`); });
    died.catch(() => undefined); // only the race below cares
    await Promise.race([waitForHttp(`http://127.0.0.1:${port}/readyz`, 120_000), died]);
    const idleMb = peakRssMb(child.pid);
    const start = process.hrtime.bigint();
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/reports`, {
      method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(definition),
    });
    if (res.status !== 200) throw new Error(`POST /reports: HTTP ${res.status} ${await res.text()}`);
    let bytes = 0;
    let lines = 0;
    for await (const chunk of res.body) {
      bytes += chunk.length;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    }
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    return { wallMs, bytes, rows: lines - 1, idleMb, peakMb: peakRssMb(child.pid) };
  } finally {
    child.kill('SIGTERM');
    await exited(child);
  }
}

/** Baseline: the same records read with a bare node:sqlite iteration in a fresh process (wall ms, peak RSS). */
async function bareScan(dbPath) {
  const script = `
    import { DatabaseSync } from 'node:sqlite';
    import { readFileSync } from 'node:fs';
    const db = new DatabaseSync(${JSON.stringify(dbPath)}, { readOnly: true });
    const stmt = db.prepare('SELECT * FROM records WHERE time_ms >= ? AND time_ms < ? ORDER BY time_ms, id');
    stmt.setReadBigInts(true);
    const start = process.hrtime.bigint();
    let n = 0;
    for (const row of stmt.iterate(${FROM}, ${TO})) if (row.id) n++;
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    const peakMb = Number(/VmHWM:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
    process.stdout.write(JSON.stringify({ n, wallMs, peakMb }));
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  await exited(child);
  return JSON.parse(out);
}

export async function runReportsBench({ records = Number(process.env.BENCH_REPORT_RECORDS ?? 1_000_000), rounds = Number(process.env.BENCH_REPORT_ROUNDS ?? 3) } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tokenmeter-bench-reports-'));
  const dbPath = join(dir, 'reports.db');
  try {
    console.log(`\nreports — ${int(records)} records over March 2026 (10,000 users, 100 departments), each report in a fresh control plane process`);
    const seeded = Date.now();
    await seed(dbPath, records);
    console.log(`  seeded in ${fmt((Date.now() - seeded) / 1000)} s`);
    const month = { from: '2026-03-01', to: '2026-04-01' };
    const cases = [
      { name: 'audit CSV (one row per record)', rounds, def: { kind: 'audit', format: 'csv', period: month } },
      { name: 'audit JSON (one row per record)', rounds: 1, def: { kind: 'audit', format: 'json', period: month } },
      { name: 'usage CSV by user × day', rounds: 1, def: { kind: 'usage', format: 'csv', period: month, group_by: ['user'], granularity: 'day' } },
      { name: 'usage FOCUS 1.2 (day × subject × model × token type)', rounds: 1, def: { kind: 'usage', format: 'focus', period: month } },
      { name: 'usage PDF by department (2 passes)', rounds: 1, def: { kind: 'usage', format: 'pdf', period: month, group_by: ['department'] } },
    ];
    const results = [];
    const base = [];
    for (let r = 0; r < rounds; r++) base.push(await bareScan(dbPath));
    const baseMs = median(base.map((b) => b.wallMs));
    const baseMb = median(base.map((b) => b.peakMb));
    console.log(`  baseline: bare node:sqlite scan of the ${int(base[0].n)} records: ${int(baseMs)} ms (${int(base[0].n / (baseMs / 1000))} records/s), peak RSS ${fmt(baseMb)} MB (median of ${rounds})`);
    console.log('  case                                                     median ms   records/s   × baseline   rows out    MB out   idle MB   peak MB');
    for (const c of cases) {
      const runs = [];
      for (let r = 0; r < c.rounds; r++) runs.push(await serviceRun(dbPath, c.def));
      const ms = median(runs.map((x) => x.wallMs));
      const out = {
        case: c.name, rounds: c.rounds, medianMs: ms, recordsPerSecond: records / (ms / 1000), ratioToBaseline: ms / baseMs,
        megabytes: runs[0].bytes / 1e6, rows: c.def.format === 'csv' || c.def.format === 'focus' ? runs[0].rows : undefined, idleMb: median(runs.map((x) => x.idleMb)), peakMb: Math.max(...runs.map((x) => x.peakMb)),
      };
      results.push(out);
      console.log(`  ${c.name.padEnd(56)} ${int(ms).padStart(9)} ${int(out.recordsPerSecond).padStart(11)} ${fmt(out.ratioToBaseline).padStart(12)} ${(out.rows === undefined ? '-' : int(out.rows)).padStart(10)} ${fmt(out.megabytes).padStart(9)} ${fmt(out.idleMb).padStart(9)} ${fmt(out.peakMb).padStart(9)}${c.rounds > 1 ? '' : '  (1 run)'}`);
    }
    const audit = results[0];
    console.log(`  audit report of ${int(records)} records: peak RSS ${fmt(audit.peakMb)} MB (idle ${fmt(audit.idleMb)} MB) — goal < ${GOAL_MB} MB: ${audit.peakMb < GOAL_MB ? 'met' : 'NOT met'}`);
    return { records, baseline: { medianMs: baseMs, peakMb: baseMb }, cases: results, goalMet: audit.peakMb < GOAL_MB };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runReportsBench();
