import { describe, expect, it } from 'vitest';
import { randomHexId } from '../../src/core/random-id.js';

describe('randomHexId', () => {
  it('gives lowercase hex ids of the asked size, never all zeros, all different across several pool refills', () => {
    const seen = new Set<string>();
    // 4 KiB per draw: 3,000 ids of each size need several draws.
    for (let i = 0; i < 3000; i++) {
      const span = randomHexId(8);
      const trace = randomHexId(16);
      expect(span).toMatch(/^[0-9a-f]{16}$/);
      expect(trace).toMatch(/^[0-9a-f]{32}$/);
      expect(span).not.toBe('0'.repeat(16));
      expect(trace).not.toBe('0'.repeat(32));
      seen.add(span).add(trace);
    }
    expect(seen.size).toBe(6000);
  });
});
