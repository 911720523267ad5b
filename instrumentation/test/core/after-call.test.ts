/**
 * A finished call's span ends in the after-call batch, with the time the call
 * ended, whether or not a prompt fingerprint is computed; a batch runs when
 * full or after the delay.
 */
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AFTER_CALL_BATCH, AFTER_CALL_DELAY_MS, deferAfterCall, drainAfterCall } from '../../src/core/after-call.js';
import { startCall } from '../../src/core/call.js';
import { configureFingerprints } from '../../src/fingerprint/fingerprint.js';

const exporter = new InMemorySpanExporter();
beforeAll(() => {
  trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }));
});
afterAll(() => {
  trace.disable();
  configureFingerprints({ enabled: true });
});

describe('the after-call batch', () => {
  it('ends a span without a fingerprint there, at the time its call ended, with its end attributes', () => {
    configureFingerprints({ enabled: false });
    const call = startCall({ provider: 'openai', operation: 'chat', requestModel: 'gpt-4.1-mini', streaming: false });
    const ended = Date.now();
    call.end({ responseModel: 'gpt-4.1-mini', tokens: { input: 12, output: 3 } });
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    vi.useFakeTimers({ now: ended + 5_000 });
    try {
      drainAfterCall();
    } finally {
      vi.useRealTimers();
    }
    const [span] = exporter.getFinishedSpans();
    expect(span?.attributes['gen_ai.usage.input_tokens']).toBe(12);
    const endMs = span!.endTime[0] * 1000 + span!.endTime[1] / 1e6;
    expect(Math.abs(endMs - ended)).toBeLessThan(1000);
  });

  it(`runs when ${AFTER_CALL_BATCH} tasks wait (next turn) or ${AFTER_CALL_DELAY_MS} ms after the first`, async () => {
    vi.useFakeTimers();
    try {
      const ran: number[] = [];
      deferAfterCall({ run: () => ran.push(0) });
      await vi.advanceTimersByTimeAsync(AFTER_CALL_DELAY_MS - 1);
      expect(ran).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(ran).toEqual([0]);
      for (let i = 1; i <= AFTER_CALL_BATCH; i++) deferAfterCall({ run: () => ran.push(i) });
      expect(ran).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(0); // the immediate, long before the delay
      expect(ran).toHaveLength(AFTER_CALL_BATCH + 1);
    } finally {
      vi.useRealTimers();
    }
  });
});
