/**
 * A fingerprint nobody reads is not computed: with no recording span and no
 * registered reader (the control-plane reporter registers one), a call's
 * fingerprint waits for a reader; a sink that reads it gets it at once; with
 * a reader registered it is computed in the next batch (releasing the
 * captured request) as before.
 */
import { startMockLlm, type RunningMockLlm } from '@tokenmeter/mock-llm';
import OpenAI, * as openaiModule from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addSink, type FinishedCall } from '../../src/core/hooks.js';
import { configureFingerprints } from '../../src/fingerprint/fingerprint.js';
import { deriveFingerprintKey } from '../../src/fingerprint/key.js';
import { demandFingerprints, fingerprintsInDemand } from '../../src/fingerprint/pending.js';
import { enableInstrumentations } from '../../src/instrumentations/index.js';

let mock: RunningMockLlm;
let openai: OpenAI;
let disable: () => void;
let removeSink: () => void;
const calls: FinishedCall[] = [];
const nextBatch = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

beforeAll(async () => {
  mock = await startMockLlm();
  configureFingerprints({ enabled: true, key: deriveFingerprintKey({ key: 'test-installation-key-0002' }).key });
  // No tracer provider: spans do not record, as in a metrics-only set-up.
  disable = enableInstrumentations({ openaiIncludeStreamUsage: true, modules: { openai: [openaiModule] } });
  removeSink = addSink((call) => calls.push(call));
  openai = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'test', maxRetries: 0 });
});
afterAll(async () => {
  removeSink?.();
  disable?.();
  configureFingerprints({ enabled: true });
  await mock?.stop();
});
afterEach(() => {
  calls.length = 0;
});

const ask = (): Promise<unknown> => openai.chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello' }] });

describe('fingerprints are computed only for a reader', () => {
  it('no span, no reader: not computed after the batch; a sink reading it gets it then', async () => {
    expect(fingerprintsInDemand()).toBe(false);
    await ask();
    await nextBatch();
    const pending = calls[0]?.fingerprint;
    expect(pending, 'the call carries a pending fingerprint').toBeDefined();
    expect(pending!.settled).toBe(false);
    expect(pending!.value?.request_hash).toMatch(/^[0-9a-f]{16,}$/);
    expect(pending!.settled).toBe(true);
  });

  it('a registered reader (the reporter): computed in the next batch; released: lazy again', async () => {
    const release = demandFingerprints();
    try {
      expect(fingerprintsInDemand()).toBe(true);
      await ask();
      await nextBatch();
      expect(calls[0]?.fingerprint?.settled).toBe(true);
    } finally {
      release();
      release(); // idempotent
    }
    expect(fingerprintsInDemand()).toBe(false);
    await ask();
    await nextBatch();
    expect(calls[1]?.fingerprint?.settled).toBe(false);
  });
});
