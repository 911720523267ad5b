/** Timing helpers shared by the benches: medians, one timed run (wall and this process's CPU), table lines. */

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median, p99, worst and count of `xs` (NaN for none). */
export function distribution(xs) {
  if (xs.length === 0) return { median: NaN, p99: NaN, max: NaN, n: 0 };
  const sorted = [...xs].sort((a, b) => a - b);
  return { median: median(xs), p99: sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)], max: sorted[sorted.length - 1], n: xs.length };
}

/** Runs `fn` once; wall ms and this process's CPU ms (user + system, all its threads). */
export async function timed(fn) {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const value = await fn();
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000, value };
}

/**
 * Runs each case `rounds` times, interleaved (the order rotates every round,
 * so drift in machine load falls alike on every case), after `warmup` untimed
 * rounds. A case's `prepare()` (untimed) makes the input of its `run(input)`
 * (timed). Returns, per case name, the wall and CPU samples in ms.
 */
export async function interleaved(cases, { rounds, warmup = 1 }) {
  const samples = new Map(cases.map((c) => [c.name, { wall: [], cpu: [] }]));
  for (let r = -warmup; r < rounds; r++) {
    const offset = ((r % cases.length) + cases.length) % cases.length;
    for (let i = 0; i < cases.length; i++) {
      const c = cases[(i + offset) % cases.length];
      const input = c.prepare === undefined ? undefined : await c.prepare();
      const t = await timed(() => c.run(input));
      if (r < 0) continue;
      samples.get(c.name).wall.push(t.wallMs);
      samples.get(c.name).cpu.push(t.cpuMs);
    }
  }
  return samples;
}

export const fmt = (n, digits = 1) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const int = (n) => Math.round(n).toLocaleString('en-US');
export const goal = (met) => (met ? 'goal met' : 'goal NOT met');
