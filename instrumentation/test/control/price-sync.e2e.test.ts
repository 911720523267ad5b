/**
 * The SDK's price sync against the real control plane (on by default; the
 * other tests turn it off): an admin price set in the control plane prices
 * the SDK's next calls, a change follows, and a deletion falls back to the
 * bundled catalog — in the SDK's own cost and in the ledger record.
 */
import { startMockLlm, type RunningMockLlm } from '@tokenmeter/mock-llm';
import { waitFor } from '@tokenmeter/testkit';
import OpenAI, * as openaiModule from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { currentCatalog, setCatalog } from '../../src/core/catalog.js';
import { addSink, type FinishedCall } from '../../src/core/hooks.js';
import { startControlLink, type ControlLink } from '../../src/control/index.js';
import { enableInstrumentations } from '../../src/instrumentations/index.js';
import { formatUsd, PriceCatalog } from '../../src/pricing/index.js';
import type { TokenUsage, UsageRecord } from '../../src/protocol.js';
import { startControlPlane, testLinkOptions, type TestControlPlane } from './control-plane.js';

const MODEL = 'gpt-4.1-mini';
const PRICE_ID = 'price-sync-test';

let cp: TestControlPlane;
let mock: RunningMockLlm;
let openai: OpenAI;
let disable: () => void;
let removeSink: () => void;
let link: ControlLink | undefined;
const calls: FinishedCall[] = [];

beforeAll(async () => {
  [cp, mock] = await Promise.all([startControlPlane(), startMockLlm()]);
  disable = enableInstrumentations({ openaiIncludeStreamUsage: true, modules: { openai: [openaiModule] } });
  removeSink = addSink((call) => calls.push(call));
  openai = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'test', maxRetries: 0 });
});

afterAll(async () => {
  removeSink?.();
  disable?.();
  setCatalog(PriceCatalog.bundled());
  await Promise.all([cp?.stop(), mock?.stop()]);
});

afterEach(async () => {
  await link?.shutdown();
  link = undefined;
  calls.length = 0;
  await cp.api('DELETE', `/api/v1/prices/${PRICE_ID}`).catch(() => undefined);
  setCatalog(PriceCatalog.bundled());
});

/** An admin price for MODEL: USD per million input (cached input too) and output tokens. */
function adminPrice(input: string, output: string): unknown {
  return { provider: 'openai', model_pattern: MODEL, effective_from: '2020-01-01', prices: { input, output } };
}

/** The exact cost of `tokens` at those rates, in pico-USD (cache reads at the input rate, reasoning at the output rate). */
function picoAt(tokens: TokenUsage, inputUsdPerMillion: bigint, outputUsdPerMillion: bigint): bigint {
  const input = BigInt(tokens.input + tokens.cache_read + tokens.cache_write);
  const output = BigInt(tokens.output + tokens.reasoning);
  return input * inputUsdPerMillion * 1_000_000n + output * outputUsdPerMillion * 1_000_000n;
}

/** One call through the patched SDK; returns what the pipeline recorded. */
async function call(): Promise<FinishedCall> {
  calls.length = 0;
  await openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'price me' }], max_completion_tokens: 5 });
  return waitFor(() => calls[0], { intervalMillis: 5, what: 'the recorded call' });
}

async function ledgerRecord(id: string): Promise<UsageRecord> {
  await link!.forceFlush();
  return waitFor(
    async () => (await cp.api<{ records: UsageRecord[] }>('GET', `/api/v1/usage?limit=1000`)).records.find((r) => r.id === id),
    { what: `ledger record ${id}` },
  );
}

/** The SDK prices MODEL with the admin entry (true) or with the bundled one (false). */
function pricedByAdmin(): boolean {
  return currentCatalog().resolve('openai', MODEL, Date.now())?.id === PRICE_ID;
}

describe('price sync from the control plane', () => {
  it('is on by default: the link fetches the control plane prices when it starts, and calls are priced with them', async () => {
    await cp.api('PUT', `/api/v1/prices/${PRICE_ID}`, adminPrice('3', '11'));
    const bundled = await call();
    expect(bundled.cost.priceId).not.toBe(PRICE_ID);

    const options = testLinkOptions(cp);
    delete options.priceRefreshMillis; // the default, as the SDK starts it
    link = startControlLink(options);
    await waitFor(pricedByAdmin, { intervalMillis: 10, what: 'the admin price in the SDK catalog' });

    const priced = await call();
    expect(priced.cost.priceId).toBe(PRICE_ID);
    expect(priced.cost.costPicoUsd).toBe(picoAt(priced.tokens, 3n, 11n));
    const bundledCost = PriceCatalog.bundled().price({ provider: 'openai', model: priced.responseModel ?? MODEL, timeMs: priced.startTimeMs, tokens: priced.tokens });
    expect(priced.cost.costPicoUsd).not.toBe(bundledCost.costPicoUsd); // the admin price, not the list price
    const record = await ledgerRecord(priced.id);
    expect(record.cost_usd).toBe(formatUsd(picoAt(priced.tokens, 3n, 11n)));
  });

  it('follows an admin price change and a deletion while running', async () => {
    link = startControlLink(testLinkOptions(cp, { priceRefreshMillis: 100 }));
    await cp.api('PUT', `/api/v1/prices/${PRICE_ID}`, adminPrice('5', '20'));
    await waitFor(pricedByAdmin, { intervalMillis: 10, what: 'the admin price in the SDK catalog' });
    const first = await call();
    expect(first.cost.costPicoUsd).toBe(picoAt(first.tokens, 5n, 20n));

    await cp.api('PUT', `/api/v1/prices/${PRICE_ID}`, adminPrice('7', '30'));
    await waitFor(() => currentCatalog().resolve('openai', MODEL, Date.now())?.prices.input === '7', { intervalMillis: 10, what: 'the changed admin price' });
    const second = await call();
    expect(second.cost.priceId).toBe(PRICE_ID);
    expect(second.cost.costPicoUsd).toBe(picoAt(second.tokens, 7n, 30n));
    expect((await ledgerRecord(second.id)).cost_usd).toBe(formatUsd(second.cost.costPicoUsd));

    await cp.api('DELETE', `/api/v1/prices/${PRICE_ID}`);
    await waitFor(() => !pricedByAdmin(), { intervalMillis: 10, what: 'the bundled price again' });
    const third = await call();
    const bundled = PriceCatalog.bundled().price({ provider: 'openai', model: third.responseModel ?? MODEL, timeMs: third.startTimeMs, tokens: third.tokens });
    expect(third.cost.priceId).toBe(bundled.priceId);
    expect(third.cost.costPicoUsd).toBe(bundled.costPicoUsd);
  });
});
