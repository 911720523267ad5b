// Memory bound of the collector (part of `npm run bench -w collector-processor`):
// a million distinct users through spans, then a million more, then a million
// through metrics, with ledger forwarding and a directory larger than the
// collector holds. Every structure that grows with distinct users is capped;
// the figure to read is the peak RSS, and whether the second million raises it.
import { createServer } from 'node:http';
import { fmt, mib, runNode, sampler, sleep, startProcessor } from './harness.js';

const USERS = Number(process.env.BENCH_MEMORY_USERS ?? 1_000_000);
const DIRECTORY_USERS = 300_000;

/** A control plane that answers at once: bundled prices, a directory of `DIRECTORY_USERS`, every usage batch taken. */
async function sinkControlPlane() {
  const directory = JSON.stringify({
    users: Array.from({ length: DIRECTORY_USERS }, (_, i) => ({ user: `user-${i * 3}`, department: `dept-${i % 40}`, org: `org-${i % 4}`, updated_at: '2026-01-01T00:00:00Z' })),
  });
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/api/v1/directory') res.writeHead(200, { 'content-type': 'application/json' }).end(directory);
      else if (req.url === '/api/v1/usage') res.writeHead(200, { 'content-type': 'application/json' }).end('{"accepted":0,"duplicates":0,"unpriced":0,"rejected":[]}');
      else res.writeHead(404).end();
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

/** Node's defaults, then V8's old space capped (the collector's live data stays far below it). */
const CONFIGS = [
  ['Node defaults', {}],
  ['NODE_OPTIONS=--max-old-space-size=384', { NODE_OPTIONS: '--max-old-space-size=384' }],
];

export async function memoryBench() {
  for (const [label, env] of CONFIGS) await memoryRun(label, env);
}

async function memoryRun(configLabel, env) {
  const cp = await sinkControlPlane();
  const proc = await startProcessor({ TOKENMETER_CONTROL_PLANE_URL: cp.url, ...env });
  const rows = [];
  try {
    // The directory copy is part of the resting memory: wait for its first sync.
    while ((await proc.vars()).directory_users === 0) await sleep(100);
    const idle = await proc.vars();
    rows.push(['idle (directory of 300k users loaded, 200k held)', idle.rss_bytes, idle.heap_used_bytes, '']);
    const phase = async (label, kind, offset) => {
      const s = sampler(proc.vars);
      const load = await runNode('distinct-load.js', { url: `${proc.otlp}/v1/${kind}`, kind, users: USERS, offset, perRequest: 1000, concurrency: 8 });
      const peak = await s.stop();
      const after = await proc.vars();
      rows.push([label, after.rss_bytes, after.heap_used_bytes, `peak RSS ${mib(peak.rss)}, V8 heap ${mib(peak.heapTotal)}, external ${mib(peak.external)} MiB; ${JSON.stringify(load.byStatus)}; ${(load.elapsedMs / 1000).toFixed(0)} s; ledger buffer ${after.ledger_buffered}`]);
      return Math.max(peak.rss, after.rss_bytes);
    };
    const p1 = await phase(`spans, users 0 … ${fmt(USERS)}`, 'traces', 0);
    const p2 = await phase(`spans, users ${fmt(USERS)} … ${fmt(2 * USERS)}`, 'traces', USERS);
    const p3 = await phase(`metrics (2 points each), users ${fmt(2 * USERS)} … ${fmt(3 * USERS)}`, 'metrics', 2 * USERS);
    const end = await proc.vars();
    console.log(`\nmemory with distinct users, ${configLabel} (${fmt(USERS)} per phase, 8 requests in flight, ledger forwarding on; collector defaults)`);
    console.log(`  ${'phase'.padEnd(58)} ${'RSS MiB'.padStart(8)} ${'heap MiB'.padStart(9)}`);
    for (const [label, rss, heap, note] of rows) console.log(`  ${label.padEnd(58)} ${mib(rss).padStart(8)} ${mib(heap).padStart(9)}   ${note}`);
    console.log(`  peak RSS over all phases: ${mib(Math.max(p1, p2, p3))} MiB; second million vs first: ${((p2 / p1 - 1) * 100).toFixed(0)} %; series held at the end: ${fmt(end.series)}`);
  } finally {
    await proc.stop();
    await cp.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await memoryBench();
