import { context, propagation } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CBaggagePropagator } from '@opentelemetry/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { currentAttribution, setDefaultAttribution, withAttribution } from '../../src/attribution/context.js';

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => {
  context.disable();
});
afterEach(() => {
  setDefaultAttribution({});
});

/** Runs fn inside a context whose baggage came off the wire, as an app's HTTP instrumentation would extract it. */
function withBaggageHeader<T>(header: string, fn: () => T): T {
  const extracted = new W3CBaggagePropagator().extract(context.active(), { baggage: header }, { get: (c, k) => (c as Record<string, string>)[k], keys: (c) => Object.keys(c as object) });
  return context.with(extracted, fn);
}

describe('attribution from OTel baggage', () => {
  it('reads every attribution entry of the active baggage', () => {
    const seen = withBaggageHeader(
      'tokenmeter.org=acme,tokenmeter.department=search,tokenmeter.feature=answers,user.id=alice%40acme.io,tokenmeter.investigation=inc-42,session.id=s-9,other=x',
      () => currentAttribution(),
    );
    expect(seen).toEqual({ org: 'acme', department: 'search', feature: 'answers', user: 'alice@acme.io', investigation: 'inc-42', session: 's-9' });
  });

  it('applies precedence explicit withAttribution > baggage > defaults, per field', async () => {
    setDefaultAttribution({ org: 'default-org', department: 'default-dept', feature: 'default-feature' });
    const seen = await withBaggageHeader('tokenmeter.department=bag-dept,tokenmeter.feature=bag-feature', () =>
      withAttribution({ feature: 'explicit-feature' }, async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        return currentAttribution();
      }),
    );
    expect(seen).toEqual({ org: 'default-org', department: 'bag-dept', feature: 'explicit-feature' });
  });

  it('also applies when the baggage is set inside withAttribution', () => {
    const seen = withAttribution({ user: 'explicit' }, () => {
      const bag = propagation.createBaggage({ 'user.id': { value: 'from-baggage' }, 'tokenmeter.org': { value: 'bag-org' } });
      return context.with(propagation.setBaggage(context.active(), bag), () => currentAttribution());
    });
    expect(seen).toEqual({ user: 'explicit', org: 'bag-org' });
  });

  it('ignores baggage values that are too long or carry bad characters', () => {
    const seen = withBaggageHeader(`user.id=${'u'.repeat(129)},tokenmeter.org=%22quoted%22,tokenmeter.feature=ok-feature`, () => currentAttribution());
    expect(seen).toEqual({ feature: 'ok-feature' });
  });

  it('returns the defaults unchanged when there is no baggage', () => {
    setDefaultAttribution({ org: 'acme', feature: '' });
    expect(currentAttribution()).toEqual({ org: 'acme' });
  });
});
