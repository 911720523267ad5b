import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrapeConfig, startPrometheus, waitFor } from '@tokenmeter/testkit';
import type { RunningPrometheus } from '@tokenmeter/testkit';
import { PriceCatalog } from '../../src/pricing/index.js';
import { TOKEN_TYPES } from '../../src/semconv.js';
import { runApp } from '../fixtures/run-app.js';
import type { AppRun } from '../fixtures/run-app.js';

const catalog = PriceCatalog.bundled();
const apps = new Map<'cjs' | 'esm', AppRun>();
let prometheus: RunningPrometheus | undefined;

beforeAll(async () => {
  for (const module of ['cjs', 'esm'] as const) apps.set(module, await runApp({ module, keepAlive: true }));
  prometheus = await startPrometheus({
    config: scrapeConfig([...apps].map(([module, run]) => ({ job: module, targets: [`127.0.0.1:${run.prometheusPort}`] }))),
  });
});

afterAll(async () => {
  await prometheus?.stop();
  for (const run of apps.values()) await run.process.stop();
});

/** Token counts by type and cost by provider/model that the mock's logged usage implies, priced by the bundled catalog. */
function expected(run: AppRun): { tokens: Record<string, number>; costPico: Map<string, bigint> } {
  const tokens: Record<string, number> = Object.fromEntries(TOKEN_TYPES.map((type) => [type, 0]));
  const costPico = new Map<string, bigint>();
  run.result.served.forEach((served, i) => {
    const usage = served.usage!;
    for (const type of TOKEN_TYPES) tokens[type]! += usage[type];
    const call = run.result.calls[i]!;
    const model = call.responseModel ?? call.requestModel;
    const price = catalog.price({ provider: served.provider, model, timeMs: call.startTimeMs, serviceTier: call.serviceTier, tokens: usage });
    expect(price.priced).toBe(true);
    const key = `${served.provider}/${model}`;
    costPico.set(key, (costPico.get(key) ?? 0n) + price.costPicoUsd);
  });
  return { tokens, costPico };
}

describe('metrics scraped by a real Prometheus', () => {
  for (const module of ['cjs', 'esm'] as const) {
    it(`${module}: tokens by type and cost per model equal the mock's usage priced by the catalog`, async () => {
      const run = apps.get(module)!;
      const want = expected(run);
      const query = prometheus!.query.bind(prometheus);
      const requests = await waitFor(
        async () => {
          const result = await query(`sum(tokenmeter_requests_total{job="${module}"})`);
          return result.length === 1 && Number(result[0]!.value[1]) === run.result.served.length ? result : undefined;
        },
        { timeoutMillis: 30_000, intervalMillis: 500, what: `${module} app scraped` },
      );
      expect(Number(requests[0]!.value[1])).toBe(run.result.served.length);

      const byType = await query(`sum by (gen_ai_token_type) (tokenmeter_tokens_total{job="${module}"})`);
      const got = Object.fromEntries(byType.map((sample) => [sample.metric.gen_ai_token_type!, Number(sample.value[1])]));
      for (const type of TOKEN_TYPES) expect(got[type] ?? 0, type).toBe(want.tokens[type]);

      const cost = await query(`tokenmeter_cost_total{job="${module}"}`);
      const gotCost = new Map(cost.map((sample) => [`${sample.metric.gen_ai_provider_name}/${sample.metric.gen_ai_response_model}`, sample.value[1]]));
      expect([...gotCost.keys()].sort()).toEqual([...want.costPico.keys()].sort());
      for (const [key, pico] of want.costPico) {
        // The counter is float USD; the exact pico-USD sum converted once must be what Prometheus holds.
        expect(Number(gotCost.get(key)), key).toBe(Number(pico) / 1e12);
      }
    });
  }
});
