/**
 * A fingerprint nobody reads is not computed: with no recording span and no
 * registered reader (the control-plane reporter registers one), a call's
 * fingerprint waits for a reader; a sink that reads it gets it at once; with
 * a reader registered it is computed in a batch (releasing the captured
 * request) without anyone reading it.
 */
import { startMockLlm, type RunningMockLlm } from '@tokenmeter/mock-llm';
import OpenAI, * as openaiModule from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addSink, type FinishedCall } from '../../src/core/hooks.js';
import { configureFingerprints } from '../../src/fingerprint/fingerprint.js';
import { deriveFingerprintKey } from '../../src/fingerprint/key.js';
import { AFTER_CALL_BATCH, AFTER_CALL_DELAY_MS, drainAfterCall } from '../../src/core/after-call.js';
import { deferFingerprint, demandFingerprints, fingerprintsInDemand, PendingFingerprint } from '../../src/fingerprint/pending.js';
import { enableInstrumentations } from '../../src/instrumentations/index.js';

let mock: RunningMockLlm;
let openai: OpenAI;
let disable: () => void;
let removeSink: () => void;
const calls: FinishedCall[] = [];
/** Resolves once `pending` is computed, by its batch or a reader. */
const settled = (pending: PendingFingerprint): Promise<void> => new Promise((resolve) => pending.onSettled(() => resolve()));

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
    drainAfterCall(); // runs every queued fingerprint now, as a batch or a flush would
    const pending = calls[0]?.fingerprint;
    expect(pending, 'the call carries a pending fingerprint').toBeDefined();
    expect(pending!.settled).toBe(false);
    expect(pending!.value?.request_hash).toMatch(/^[0-9a-f]{16,}$/);
    expect(pending!.settled).toBe(true);
  });

  it('a registered reader (the reporter): computed in a batch, unread; released: lazy again', async () => {
    const release = demandFingerprints();
    try {
      expect(fingerprintsInDemand()).toBe(true);
      await ask();
      const pending = calls[0]!.fingerprint!;
      // Not read here: only the batch computes it (the test's time-out bounds the wait).
      await settled(pending);
      expect(pending.settled).toBe(true);
    } finally {
      release();
      release(); // idempotent
    }
    expect(fingerprintsInDemand()).toBe(false);
    await ask();
    drainAfterCall();
    expect(calls[1]?.fingerprint?.settled).toBe(false);
  });
});

describe('fingerprints are computed in batches', () => {
  it(`a full batch (${AFTER_CALL_BATCH} calls) runs on the next turn; fewer wait at most ${AFTER_CALL_DELAY_MS} ms`, async () => {
    const release = demandFingerprints();
    try {
      const key = deriveFingerprintKey({ key: 'test-installation-key-0003' }).key;
      configureFingerprints({ enabled: true, key });
      const make = (): PendingFingerprint => new PendingFingerprint(() => ({ prefix: [], rest: [{ role: 'user', content: 'hi' }], parameters: { model: 'm' } }), 10, undefined, undefined, (error) => { throw error; });
      // One call alone: still waiting after a turn, computed by the timer.
      const alone = deferFingerprint(make());
      await new Promise((resolve) => setImmediate(resolve));
      expect(alone.settled).toBe(false);
      const started = performance.now();
      await settled(alone);
      expect(performance.now() - started).toBeLessThan(AFTER_CALL_DELAY_MS * 50);
      // A full batch: computed on the next turn, before the timer could fire.
      const batch = Array.from({ length: AFTER_CALL_BATCH }, () => deferFingerprint(make()));
      expect(batch.some((pending) => pending.settled)).toBe(false);
      await new Promise((resolve) => setImmediate(resolve));
      expect(batch.every((pending) => pending.settled)).toBe(true);
      expect(batch[0]!.value).toEqual(alone.value);
    } finally {
      release();
      configureFingerprints({ enabled: true, key: deriveFingerprintKey({ key: 'test-installation-key-0002' }).key });
    }
  });
});
