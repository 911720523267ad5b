// Shared by the benchmarks: free ports, CPU pinning, the collector as a child
// process (built dist/main.js) and load generators in processes of their own.
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
export const fmt = (n) => Math.round(n).toLocaleString('en-US');
export const mib = (bytes) => (bytes / 1048576).toFixed(0);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function hasTaskset() {
  try {
    execFileSync('taskset', ['-c', '0', 'true']);
    return true;
  } catch {
    return false;
  }
}
export const cores = Number(execFileSync('nproc').toString().trim());
export const pin = hasTaskset() && cores >= 2;
const pinned = (core, cmd, args) => (pin ? ['taskset', ['-c', String(core), cmd, ...args]] : [cmd, args]);

/** The collector on core 1 with `env`; `vars()` reads its /debug/vars. */
export async function startProcessor(env) {
  const otlpPort = await freePort();
  const metricsPort = await freePort();
  const [cmd, args] = pinned(1, process.execPath, [join(here, '..', 'dist', 'main.js')]);
  const child = spawn(cmd, args, {
    env: {
      ...process.env,
      TOKENMETER_COLLECTOR_HOST: '127.0.0.1',
      TOKENMETER_COLLECTOR_OTLP_PORT: String(otlpPort),
      TOKENMETER_COLLECTOR_METRICS_PORT: String(metricsPort),
      TOKENMETER_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'error',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const base = `http://127.0.0.1:${metricsPort}`;
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      await sleep(50);
    }
  }
  return {
    otlp: `http://127.0.0.1:${otlpPort}`,
    metrics: base,
    vars: async () => (await fetch(`${base}/debug/vars`)).json(),
    scrape: async () => (await fetch(`${base}/metrics`)).text(),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

/** Runs `script` (a load generator in bench/) on core 0 with one JSON argument; resolves with its JSON output. */
export function runNode(script, arg) {
  return new Promise((resolve, reject) => {
    const [cmd, args] = pinned(0, process.execPath, [join(here, script), JSON.stringify(arg)]);
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`${script} exited ${code}`))));
  });
}

/** Samples `vars()` every `everyMs` until `stop()`; returns the largest RSS and heap seen. */
export function sampler(vars, everyMs = 250) {
  let running = true;
  const peak = { rss: 0, heap: 0, heapTotal: 0, external: 0 };
  const done = (async () => {
    while (running) {
      try {
        const v = await vars();
        peak.rss = Math.max(peak.rss, v.rss_bytes);
        peak.heap = Math.max(peak.heap, v.heap_used_bytes);
        peak.heapTotal = Math.max(peak.heapTotal, v.heap_total_bytes ?? 0);
        peak.external = Math.max(peak.external, v.external_bytes ?? 0);
      } catch {
        /* busy: next sample */
      }
      await sleep(everyMs);
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      return peak;
    },
  };
}
