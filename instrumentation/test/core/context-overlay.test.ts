import { createContextKey, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { ContextOverlay } from '../../src/core/context-overlay.js';

describe('ContextOverlay', () => {
  it('reads as the API context it stands for: its parent, a value set over it, a value deleted, without changing the parent', () => {
    const a = createContextKey('a');
    const b = createContextKey('b');
    const parent = ROOT_CONTEXT.setValue(a, 1);
    const overlay = new ContextOverlay(parent);
    expect(overlay.getValue(a)).toBe(1);
    expect(overlay.getValue(b)).toBeUndefined();
    const withB = overlay.setValue(b, 2);
    expect([withB.getValue(a), withB.getValue(b)]).toEqual([1, 2]);
    expect(withB.setValue(a, 3).getValue(a)).toBe(3);
    expect(withB.getValue(a)).toBe(1);
    expect(withB.deleteValue(a).getValue(a)).toBeUndefined();
    expect(withB.deleteValue(a).getValue(b)).toBe(2);
    expect(parent.getValue(b)).toBeUndefined();
  });

  it('carries a span set with trace.setSpan and the baggage of its parent', () => {
    const span = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 });
    const baggage = propagation.createBaggage({ 'tokenmeter.user': { value: 'u1' } });
    const parent = propagation.setBaggage(ROOT_CONTEXT, baggage);
    const context = trace.setSpan(new ContextOverlay(parent), span);
    expect(trace.getSpan(context)).toBe(span);
    expect(propagation.getBaggage(context)?.getEntry('tokenmeter.user')?.value).toBe('u1');
    expect(trace.getSpan(parent)).toBeUndefined();
  });
});
