/**
 * Ledger ingest, records per second, through the real paths, in SDK-sized
 * batches (the reporter sends up to 1,000 records a batch by default, 5,000
 * at most):
 * - `Ledger.ingestRows`: priced rows → idempotent insert + running totals in one transaction;
 * - `ControlPlane.ingest`: the same plus pricing with the ledger's catalog and directory enrichment;
 * - `POST /api/v1/usage` over loopback HTTP: the same plus JSON parsing, validation and auth.
 * Baseline, same run: a bare INSERT of equally many rows of the same shape
 * into a table with the ledger's columns and keys but no totals. The ratio
 * (time ÷ baseline time) is what running totals, dedupe and pricing cost.
 * Node runs single-threaded (SQLite's calls are synchronous in it, so SQLite
 * ingest is one core); Postgres does its share in its own process.
 */
import { defaultConfig, startServer, toLedgerRow } from '../dist/index.js';
import { fmt, goal, int, interleaved, median } from './stats.js';
import { recordFactory } from './workload.js';

const INGEST_TOKEN = 'bench-ingest';
const GOAL_SQLITE_RECORDS_PER_SECOND = 20_000;

/** Starts the service in-process on a loopback port over `dbUrl`, clock `clock`. */
export async function startBenchServer(dbUrl, clock) {
  return startServer({
    config: defaultConfig({
      host: '127.0.0.1', port: 0, dbUrl, sqliteSynchronous: 'full', logLevel: 'silent',
      tokens: { admin: 'bench-admin', read: 'bench-read', ingest: INGEST_TOKEN },
    }),
    ...(clock ? { clock } : {}),
    processMetrics: false,
    onError: (error) => console.error('control plane error:', error),
  });
}

function expectAccepted(result, size, what) {
  if (result.accepted !== size || result.duplicates !== 0 || result.unpriced !== 0) {
    throw new Error(`${what}: accepted ${result.accepted}, duplicates ${result.duplicates}, unpriced ${result.unpriced} of ${size}`);
  }
}

/** Runs the ingest bench on `target` (targets.js); prints a table and returns the figures. */
export async function runIngestBench(target, { sizes = [[1000, 15], [5000, 7]], http = true } = {}) {
  const server = await startBenchServer(target.dbUrl);
  const cp = server.cp;
  const results = [];
  try {
    const t0 = Date.now();
    // Records of the last seconds, as a live SDK sends them (one record per ms of the run).
    const factory = (name) => recordFactory(`${target.kind}-${name}`, (n) => t0 + n);
    const toRows = (records) => {
      const now = Date.now();
      return records.map((r) => toLedgerRow(r, cp.prices.catalog, (user) => cp.directory.get(user), now));
    };
    console.log(`\ningest — ${target.label}`);
    console.log(`  ${'path'.padEnd(58)}${'batch'.padStart(6)}${'ms/batch'.padStart(10)}${'records/s'.padStart(11)}${'node CPU µs/rec'.padStart(17)}  time ÷ baseline`);
    for (const [size, rounds] of sizes) {
      const gens = { bare: factory(`bare${size}`), ledger: factory(`ledger${size}`), cp: factory(`cp${size}`), http: factory(`http${size}`) };
      const cases = [
        {
          name: 'baseline: bare INSERT of the rows, no totals',
          prepare: () => toRows(gens.bare.batch(size)),
          run: (rows) => target.bareInsert(rows),
        },
        {
          name: 'Ledger.ingestRows (insert + running totals)',
          prepare: () => toRows(gens.ledger.batch(size)),
          run: async (rows) => expectAccepted(await cp.ledger.ingestRows(rows), size, 'Ledger.ingestRows'),
        },
        {
          name: 'ControlPlane.ingest (+ pricing, directory)',
          prepare: () => gens.cp.batch(size),
          run: async (records) => expectAccepted(await cp.intake.ingest(records), size, 'UsageIntake.ingest'),
        },
      ];
      if (http) {
        cases.push({
          name: 'POST /api/v1/usage (+ JSON, validation, auth)',
          prepare: () => JSON.stringify({ records: gens.http.batch(size) }),
          run: async (body) => {
            const res = await fetch(`${server.url}/api/v1/usage`, {
              method: 'POST', body, headers: { 'content-type': 'application/json', authorization: `Bearer ${INGEST_TOKEN}` },
            });
            const answer = await res.json();
            if (res.status !== 200) throw new Error(`POST /api/v1/usage: ${res.status} ${JSON.stringify(answer).slice(0, 500)}`);
            expectAccepted(answer, size, 'POST /api/v1/usage');
          },
        });
      }
      const samples = await interleaved(cases, { rounds, warmup: 2 });
      const baseMs = median(samples.get(cases[0].name).wall);
      for (const c of cases) {
        const s = samples.get(c.name);
        const wallMs = median(s.wall);
        const cpuUsPerRecord = (median(s.cpu) * 1000) / size;
        const perSecond = (size / wallMs) * 1000;
        results.push({ store: target.kind, path: c.name, batch: size, rounds, msPerBatch: wallMs, recordsPerSecond: perSecond, nodeCpuUsPerRecord: cpuUsPerRecord, ratioToBaseline: wallMs / baseMs });
        console.log(`  ${c.name.padEnd(58)}${String(size).padStart(6)}${fmt(wallMs).padStart(10)}${int(perSecond).padStart(11)}${fmt(cpuUsPerRecord, 2).padStart(17)}  ×${fmt(wallMs / baseMs, 2)}`);
      }
    }
    const ingestRates = results.filter((r) => r.path.startsWith('ControlPlane'));
    const worst = Math.min(...ingestRates.map((r) => r.recordsPerSecond));
    const counted = await cp.store.countRecords();
    console.log(`  medians of ${sizes.map(([s, r]) => `${r} rounds × ${s}`).join(', ')} records per path (interleaved, 2 warm-up rounds); ledger now holds ${int(counted)} records;`);
    console.log('  node CPU is this process (for POST it includes the HTTP client, which runs here too)');
    if (target.kind === 'sqlite') {
      console.log(`  ControlPlane.ingest, slowest batch size: ${int(worst)} records/s on one core (goal ≥ ${int(GOAL_SQLITE_RECORDS_PER_SECOND)}: ${goal(worst >= GOAL_SQLITE_RECORDS_PER_SECOND)})`);
    } else {
      console.log(`  ControlPlane.ingest, slowest batch size: ${int(worst)} records/s (Node one core + the Postgres server process)`);
    }
    return results;
  } finally {
    await server.close();
  }
}
