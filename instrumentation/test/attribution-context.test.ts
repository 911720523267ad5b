import { describe, expect, it } from 'vitest';
import { currentAttribution, setDefaultAttribution, withAttribution } from '../src/attribution/context.js';

describe('attribution context', () => {
  it('merges scoped attribution over the defaults and drops empty values', async () => {
    setDefaultAttribution({ org: 'acme', department: 'search' });
    const seen = await withAttribution({ user: 'u1', feature: '' }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return currentAttribution();
    });
    expect(seen).toEqual({ org: 'acme', department: 'search', user: 'u1' });
    expect(currentAttribution()).toEqual({ org: 'acme', department: 'search' });
    setDefaultAttribution({});
  });
});
