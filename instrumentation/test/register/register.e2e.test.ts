import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PriceCatalog } from '../../src/pricing/index.js';
import { runApp, SDK_FIXTURES_DIR } from '../fixtures/run-app.js';
import type { AppResult } from '../fixtures/run-app.js';

const catalog = PriceCatalog.bundled();

/** Every served request was recorded once, with the mock's usage, priced by the bundled catalog. */
function expectMeasured(result: AppResult, expectedCalls: number): void {
  expect(result.served).toHaveLength(expectedCalls);
  expect(result.calls).toHaveLength(expectedCalls);
  result.served.forEach((served, i) => {
    const call = result.calls[i]!;
    expect(call.outcome).toBe('ok');
    expect(call.provider).toBe(served.provider);
    expect(call.streaming).toBe(served.stream);
    expect(call.tokens).toEqual(served.usage);
    const price = catalog.price({
      provider: call.provider,
      model: call.responseModel ?? call.requestModel,
      timeMs: call.startTimeMs,
      serviceTier: call.serviceTier,
      tokens: served.usage!,
    });
    expect(price.priced).toBe(true);
    expect(call.cost.costPicoUsd).toBe(price.costPicoUsd.toString());
  });
}

// openai: chat, chat stream, responses, responses stream, embeddings; anthropic: create, stream.
const OPENAI_CALLS = 5;
const ANTHROPIC_CALLS = 2;

describe('register hooks (child processes)', () => {
  it('CJS --require: openai 7 and @anthropic-ai/sdk 1 (require) are measured, streaming and not', async () => {
    const { result } = await runApp({ module: 'cjs' });
    expect(result.versions.openai).toMatch(/^7\./);
    expect(result.versions.anthropic).toMatch(/^1\./);
    expectMeasured(result, OPENAI_CALLS + ANTHROPIC_CALLS);
  });

  it('ESM --import: the SDKs ESM builds (import) are measured, streaming and not', async () => {
    const { result } = await runApp({ module: 'esm' });
    // The ESM entry points (wrapped by the loader hook, hence `?iitm=true`).
    expect(result.versions.openai).toMatch(/instrumentation\/node_modules\/openai\/index\.mjs/);
    expect(result.versions.anthropic).toMatch(/instrumentation\/node_modules\/@anthropic-ai\/sdk\/index\.mjs/);
    expectMeasured(result, OPENAI_CALLS + ANTHROPIC_CALLS);
  });

  it('CJS: openai 6', async () => {
    const { result } = await runApp({ module: 'cjs', env: { SDK_FROM: join(SDK_FIXTURES_DIR, 'openai-v6'), SDKS: 'openai' } });
    expect(result.versions.openai).toMatch(/^6\./);
    expectMeasured(result, OPENAI_CALLS);
  });

  it('CJS: openai 5', async () => {
    const { result } = await runApp({ module: 'cjs', env: { SDK_FROM: join(SDK_FIXTURES_DIR, 'openai-v5'), SDKS: 'openai' } });
    expect(result.versions.openai).toMatch(/^5\./);
    expectMeasured(result, OPENAI_CALLS);
  });

  it.each([
    ['openai 5', 'openai-v5', /^5\./],
    ['openai 4', 'openai-v4', /^4\./],
  ])('ESM --import: %s (its ESM build) is measured', async (_name, fixture, version) => {
    const { result } = await runApp({ module: 'esm', env: { SDK_FROM: join(SDK_FIXTURES_DIR, fixture) } });
    expect(result.versions['openai version']).toMatch(version);
    expect(result.versions.openai).toMatch(/node_modules\/openai\/index\.mjs(\?|$)/);
    expectMeasured(result, OPENAI_CALLS);
  });

  it('ESM --import: @anthropic-ai/sdk 0.x (its ESM build) is measured', async () => {
    const { result } = await runApp({ module: 'esm', env: { SDK_FROM: join(SDK_FIXTURES_DIR, 'anthropic-v0') } });
    expect(result.versions['anthropic version']).toMatch(/^0\./);
    expect(result.versions.anthropic).toMatch(/node_modules\/@anthropic-ai\/sdk\/index\.mjs(\?|$)/);
    expectMeasured(result, ANTHROPIC_CALLS);
  });

  it('CJS: openai 4 (4.104) and @anthropic-ai/sdk 0.x', async () => {
    const openai = await runApp({ module: 'cjs', env: { SDK_FROM: join(SDK_FIXTURES_DIR, 'openai-v4'), SDKS: 'openai' } });
    expect(openai.result.versions.openai).toMatch(/^4\./);
    expectMeasured(openai.result, OPENAI_CALLS);
    const anthropic = await runApp({ module: 'cjs', env: { SDK_FROM: join(SDK_FIXTURES_DIR, 'anthropic-v0'), SDKS: 'anthropic' } });
    expect(anthropic.result.versions.anthropic).toMatch(/^0\./);
    expectMeasured(anthropic.result, ANTHROPIC_CALLS);
  });

  it('CJS: openai 4.19.0, the lower end of the range (no Responses API)', async () => {
    const { result } = await runApp({ module: 'cjs', env: { SDK_FROM: join(SDK_FIXTURES_DIR, 'openai-v4-19'), SDKS: 'openai' } });
    expect(result.versions.openai).toBe('4.19.0');
    expectMeasured(result, 3);
  });

  it('OTEL_SDK_DISABLED=true (and the older TOKENMETER_DISABLED=true): nothing is patched, the app still works', async () => {
    for (const disabled of [{ OTEL_SDK_DISABLED: 'true' }, { TOKENMETER_DISABLED: 'true' }] as Record<string, string>[]) {
      const { result } = await runApp({ module: 'cjs', env: { ...disabled, SDKS: 'openai' } });
      expect(result.served).toHaveLength(OPENAI_CALLS);
      expect(result.calls).toHaveLength(0);
    }
    const esm = await runApp({ module: 'esm', env: { OTEL_SDK_DISABLED: 'TRUE', SDKS: 'openai' } });
    expect(esm.result.calls).toHaveLength(0);
  });
});
