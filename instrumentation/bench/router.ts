/**
 * Benchmark of the router's added time per call: `router.chat(...)` against
 * the same patched OpenAI client called directly (`chat.completions.create`),
 * both over the mock provider's in-process transport (no socket), so only
 * the router's own work differs. Baseline: the direct SDK call, same run.
 * Run after `npx tsc -b instrumentation tools/mock-llm`:
 *   node instrumentation/bench/router.ts
 */
import { createInProcessFetch } from '@tokenmeter/mock-llm';
import OpenAI, * as openaiModule from 'openai';
import { enableInstrumentations } from '../dist/instrumentations/index.js';
import { createRouter } from '../dist/router/index.js';

export interface RouterBenchResult {
  name: string;
  medianMicros: number;
  /** Median of this case divided by the baseline's. */
  ratio: number;
}

const BATCH = 100;
const PAIRS = 40;

/** Mean time per call of one batch of `fn`, in µs. */
async function batch(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < BATCH; i++) await fn();
  return Number(process.hrtime.bigint() - start) / BATCH / 1000;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

export async function benchRouter(): Promise<RouterBenchResult[]> {
  const disable = enableInstrumentations({ openaiIncludeStreamUsage: true, modules: { openai: [openaiModule] } });
  try {
    const client = new OpenAI({ baseURL: 'http://mock.local/v1', apiKey: 'bench', fetch: createInProcessFetch(), maxRetries: 0 });
    const messages = [{ role: 'user' as const, content: 'Say hello to the team' }];
    const direct = (): Promise<unknown> => client.chat.completions.create({ model: 'gpt-4.1-mini', messages, max_completion_tokens: 8 });
    const router = createRouter({ providers: [{ name: 'openai', client, model: 'gpt-4.1-mini' }], link: null });
    const routed = (): Promise<unknown> => router.chat({ messages, maxTokens: 8 });
    for (let i = 0; i < 300; i++) {
      await direct();
      await routed();
    }
    // Alternate batches so machine noise (a shared machine) falls on both alike; the added time is the median of paired differences.
    const directSamples: number[] = [];
    const routedSamples: number[] = [];
    const differences: number[] = [];
    for (let pair = 0; pair < PAIRS; pair++) {
      const d = await batch(direct);
      const r = await batch(routed);
      directSamples.push(d);
      routedSamples.push(r);
      differences.push(r - d);
    }
    const base = median(directSamples);
    const viaRouter = median(routedSamples);
    return [
      { name: 'baseline: patched openai chat.completions.create', medianMicros: base, ratio: 1 },
      { name: 'router.chat over the same client', medianMicros: viaRouter, ratio: viaRouter / base },
      { name: 'router added time per call (median of paired differences)', medianMicros: median(differences), ratio: median(differences) / base },
    ];
  } finally {
    disable();
  }
}

function print(results: RouterBenchResult[]): void {
  console.log('router: added time per call (in-process mock transport, median of batched samples)');
  for (const result of results) {
    console.log(`  ${result.name.padEnd(58)} ${result.medianMicros.toFixed(1).padStart(8)} µs   ×${result.ratio.toFixed(2)} baseline`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) print(await benchRouter());
