/**
 * Benchmark of the pricing engine's per-call path against a named baseline,
 * "naive scan": a linear scan of every entry with one anchored regex test
 * each (what a simple engine does), the same bigint arithmetic, measured in
 * the same run on the same calls. Run after `npx tsc -b instrumentation`:
 *   node instrumentation/bench/pricing.ts
 * The package bench runner imports `runPricingBench()`.
 */
import { bundledPrices, formatUsd, parsePricePerMillion, PriceCatalog } from '../dist/pricing/index.js';
import type { PriceCall, PriceEntry } from '../dist/pricing/index.js';
import type { TokenUsage } from '../dist/protocol.js';

export interface PricingBenchResult {
  name: string;
  /** Median nanoseconds per priced call (per operation for the build case). */
  medianNanos: number;
  /** Median of this case divided by the baseline's ("naive scan", bundled catalog). */
  ratio: number;
}

export interface PricingBenchOptions {
  /** Calls per timed batch (default 5,000). */
  batch?: number;
  /** Timed batches per case; the median is reported (default 15). */
  rounds?: number;
}

const NOW = Date.parse('2026-11-23T12:00:00Z');

/** Real response-model ids as providers return them, across the four providers. */
const MODELS: [string, string][] = [
  ['openai', 'gpt-5-2025-08-07'], ['openai', 'gpt-5-mini-2025-08-07'], ['openai', 'gpt-5-nano'], ['openai', 'gpt-4.1-2025-04-14'],
  ['openai', 'gpt-4o-2024-08-06'], ['openai', 'gpt-4o-mini-2024-07-18'], ['openai', 'o3-2025-04-16'], ['openai', 'o4-mini-2025-04-16'],
  ['openai', 'text-embedding-3-small'], ['azure.ai.openai', 'gpt-4.1-mini'],
  ['anthropic', 'claude-sonnet-4-5-20250929'], ['anthropic', 'claude-haiku-4-5-20251001'], ['anthropic', 'claude-opus-4-5-20251101'],
  ['anthropic', 'claude-3-5-haiku-20241022'], ['aws.bedrock', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0'],
  ['gcp.gemini', 'gemini-2.5-pro'], ['gcp.gemini', 'gemini-2.5-flash'], ['gcp.vertex_ai', 'gemini-2.5-flash-lite'],
  ['mistral_ai', 'mistral-large-latest'], ['mistral_ai', 'mistral-small-2506'],
];

function calls(): PriceCall[] {
  const out: PriceCall[] = [];
  for (let i = 0; i < 1000; i++) {
    const [provider, model] = MODELS[i % MODELS.length]!;
    const tokens: TokenUsage = { input: 500 + (i % 7) * 1000, output: 200 + (i % 5) * 100, cache_read: i % 3 === 0 ? 4096 : 0, cache_write: i % 11 === 0 ? 1024 : 0, reasoning: i % 4 === 0 ? 256 : 0 };
    out.push({ provider, model, timeMs: NOW - (i % 30) * 86_400_000, org: `org-${i % 10}`, tokens });
  }
  return out;
}

/** Admin globals and org overrides for other (made-up, clearly fake) model names: a large catalog. */
function adminEntries(count: number): PriceEntry[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `bench-${i}`,
    provider: i % 2 === 0 ? 'openai' : 'anthropic',
    model_pattern: i % 5 === 0 ? `bench-family-${i}(?:-\\d{8})?` : `bench-model-${i}`,
    match: i % 5 === 0 ? ('regex' as const) : ('exact' as const),
    effective_from: '2026-01-01',
    source: 'admin' as const,
    currency: 'USD' as const,
    prices: { input: '1', output: '2' },
    ...(i % 3 === 0 ? { org: `org-${i % 10}` } : {}),
  }));
}

interface NaiveEntry {
  provider: string;
  re: RegExp;
  fromMs: number;
  toMs: number;
  input: bigint;
  output: bigint;
  cacheRead: bigint;
  cacheWrite: bigint;
  reasoning: bigint;
  id: string;
}

/** The baseline engine: every entry a regex, scanned in full on every call. */
function naiveEngine(entries: readonly PriceEntry[]): (call: PriceCall) => bigint {
  const compiled: NaiveEntry[] = entries.map((e) => {
    const input = parsePricePerMillion(e.prices.input);
    const output = parsePricePerMillion(e.prices.output);
    const source = e.match === 'regex' ? e.model_pattern : e.model_pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return {
      provider: e.provider,
      re: new RegExp(`^(?:${source})$`, 'i'),
      fromMs: Date.parse(e.effective_from),
      toMs: e.effective_to === undefined ? Infinity : Date.parse(e.effective_to),
      input,
      output,
      cacheRead: e.prices.cache_read === undefined ? input : parsePricePerMillion(e.prices.cache_read),
      cacheWrite: e.prices.cache_write === undefined ? input : parsePricePerMillion(e.prices.cache_write),
      reasoning: e.prices.reasoning === undefined ? output : parsePricePerMillion(e.prices.reasoning),
      id: e.id,
    };
  });
  const aliases: Record<string, string> = { 'azure.ai.openai': 'openai', 'aws.bedrock': 'anthropic', 'gcp.gemini': 'google', 'gcp.vertex_ai': 'google', mistral_ai: 'mistral' };
  return (call) => {
    const provider = aliases[call.provider] ?? call.provider;
    const model = (call.model ?? '').toLowerCase().replace(/^(?:us\.)?anthropic\./, '').replace(/-v\d+:\d+$/, '').replace(/-(?:\d{4}-\d{2}-\d{2}|\d{8}|latest)$/, '');
    let best: NaiveEntry | undefined;
    for (const e of compiled) {
      if (e.provider !== provider || !e.re.test(model)) continue;
      if (e.fromMs <= call.timeMs && call.timeMs < e.toMs && (!best || e.fromMs > best.fromMs)) best = e;
    }
    if (!best) return -1n;
    const t = call.tokens;
    return BigInt(t.input) * best.input + BigInt(t.output) * best.output + BigInt(t.cache_read) * best.cacheRead + BigInt(t.cache_write) * best.cacheWrite + BigInt(t.reasoning) * best.reasoning;
  };
}

/** Results are folded in here so the JIT cannot discard the measured work. */
let _sink = 0n;

/**
 * Median time per call of each case over `rounds` rounds of `batch` calls. Rounds are interleaved
 * (every case once per round) so load from other processes on a shared machine hits all cases alike.
 */
function measureInterleaved(cases: ((i: number) => bigint)[], batchOf: (index: number) => number, rounds: number): number[] {
  cases.forEach((fn, c) => {
    for (let i = 0; i < batchOf(c) * 2; i++) _sink ^= fn(i);
  });
  const samples: number[][] = cases.map(() => []);
  for (let r = 0; r < rounds; r++) {
    cases.forEach((fn, c) => {
      const batch = batchOf(c);
      const start = process.hrtime.bigint();
      for (let i = 0; i < batch; i++) _sink ^= fn(i);
      samples[c]!.push(Number(process.hrtime.bigint() - start) / batch);
    });
  }
  return samples.map((perCall) => {
    perCall.sort((a, b) => a - b);
    return perCall[Math.floor(perCall.length / 2)] ?? Number.NaN;
  });
}

/** Runs every case (about 2 s on one core) and returns medians with their ratio to the naive scan. */
export async function runPricingBench(options: PricingBenchOptions = {}): Promise<PricingBenchResult[]> {
  const batch = options.batch ?? 5000;
  const rounds = options.rounds ?? 15;
  const workload = calls();
  const pick = (i: number): PriceCall => workload[i % workload.length]!;

  const bundled = PriceCatalog.bundled();
  const large = bundled.withEntries(adminEntries(1000));
  const naiveBundled = naiveEngine(bundledPrices);
  const naiveLarge = naiveEngine(large.entries());

  // Both engines must agree on every call before any timing counts.
  for (const call of workload) {
    const fast = bundled.price(call);
    if (!fast.priced || fast.costPicoUsd !== naiveBundled(call)) {
      throw new Error(`engines disagree on ${call.provider}/${call.model}: ${fast.priced ? formatUsd(fast.costPicoUsd) : 'unpriced'} vs ${formatUsd(naiveBundled(call))}`);
    }
  }

  const [baseline = Number.NaN, prepared = Number.NaN, preparedLarge = Number.NaN, naiveLargeNanos = Number.NaN] = measureInterleaved(
    [(i) => naiveBundled(pick(i)), (i) => bundled.price(pick(i)).costPicoUsd, (i) => large.price(pick(i)).costPicoUsd, (i) => naiveLarge(pick(i))],
    (c) => (c === 3 ? Math.max(200, Math.floor(batch / 20)) : batch),
    rounds,
  );
  // First sight of a (provider, model, org): aliases, normalisation, regexes, memo insert; catalogs built beforehand.
  const fresh = Array.from({ length: rounds }, () => new PriceCatalog(bundledPrices));
  const coldRounds: number[] = [];
  for (const catalog of fresh) {
    const start = process.hrtime.bigint();
    for (const call of workload) _sink ^= catalog.price(call).costPicoUsd;
    coldRounds.push(Number(process.hrtime.bigint() - start) / workload.length);
  }
  coldRounds.sort((a, b) => a - b);
  const coldNanos = coldRounds[Math.floor(coldRounds.length / 2)] ?? Number.NaN;
  const buildStart = process.hrtime.bigint();
  for (let i = 0; i < 20; i++) void new PriceCatalog(bundledPrices);
  const buildNanos = Number(process.hrtime.bigint() - buildStart) / 20;
  await Promise.resolve();

  const count = bundledPrices.length;
  const rows: [string, number][] = [
    [`baseline: naive scan, ${count} bundled entries`, baseline],
    [`PriceCatalog.price, bundled (memo hit)`, prepared],
    [`PriceCatalog.price, bundled + 1,000 admin/org entries`, preparedLarge],
    [`naive scan, ${count + 1000} entries`, naiveLargeNanos],
    ['PriceCatalog.price, fresh catalog (200 first sights in 1,000 calls)', coldNanos],
    [`build PriceCatalog of ${count} bundled entries (per build)`, buildNanos],
  ];
  return rows.map(([name, medianNanos]) => ({ name, medianNanos, ratio: medianNanos / baseline }));
}

function print(results: PricingBenchResult[]): void {
  console.log('pricing: per-call price() (median of batched rounds)');
  for (const r of results) console.log(`  ${r.name.padEnd(72)} ${r.medianNanos.toFixed(1).padStart(10)} ns   ×${r.ratio.toFixed(3)} baseline`);
}

if (import.meta.url === `file://${process.argv[1]}`) print(await runPricingBench());
