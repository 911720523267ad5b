import { describe, expect, it } from 'vitest';
import { formatUsd, parsePricePerMillion, parseUsd, picoToUsd, PICO_PER_USD } from '../../src/pricing/index.js';

describe('parseUsd / formatUsd', () => {
  it('round-trips whole, fractional, 12-digit and negative amounts exactly', () => {
    for (const text of ['0', '1', '0.5', '2.5', '0.000000000001', '123.456789012345', '-0.25', '-7', '999999999999999999.999999999999']) {
      expect(formatUsd(parseUsd(text))).toBe(text);
    }
  });

  it('parses into pico-USD and drops trailing zeros when formatting', () => {
    expect(parseUsd('1.50')).toBe(1_500_000_000_000n);
    expect(parseUsd('0.000000000001')).toBe(1n);
    expect(formatUsd(1_500_000_000_000n)).toBe('1.5');
    expect(formatUsd(0n)).toBe('0');
    expect(formatUsd(-1n)).toBe('-0.000000000001');
  });

  it('keeps values far beyond Number.MAX_SAFE_INTEGER exact', () => {
    const pico = 123_456_789_012_345_678_901_234_567n;
    expect(formatUsd(pico)).toBe('123456789012345.678901234567');
    expect(parseUsd('123456789012345.678901234567')).toBe(pico);
    expect(formatUsd(pico * 3n)).toBe('370370367037037.036703703701');
  });

  it('rejects more than 12 fractional digits and non-decimal input with a clear error', () => {
    expect(() => parseUsd('0.0000000000001')).toThrow('USD amount "0.0000000000001" has 13 fractional digits; at most 12 are allowed');
    expect(() => parseUsd('1e-3')).toThrow('USD amount "1e-3" is not a plain decimal number (expected digits with an optional "." fraction, e.g. "2.50")');
    expect(() => parseUsd('')).toThrow('is not a plain decimal number');
    expect(() => parseUsd(' 1')).toThrow('is not a plain decimal number');
    expect(() => parseUsd('1.')).toThrow('is not a plain decimal number');
  });
});

describe('parsePricePerMillion', () => {
  it('turns a price per million tokens into micro-USD per million (= pico-USD per token)', () => {
    expect(parsePricePerMillion('2.50')).toBe(2_500_000n);
    expect(parsePricePerMillion('0.000001')).toBe(1n);
    expect(parsePricePerMillion('600')).toBe(600_000_000n);
    expect(parsePricePerMillion('0')).toBe(0n);
  });

  it('rejects more than 6 fractional digits and negative prices', () => {
    expect(() => parsePricePerMillion('0.0000001')).toThrow('price per million tokens "0.0000001" has 7 fractional digits; at most 6 are allowed');
    expect(() => parsePricePerMillion('-1')).toThrow('price per million tokens "-1" is negative');
  });
});

describe('picoToUsd', () => {
  it('converts to float USD for metrics', () => {
    expect(picoToUsd(1_500_000_000_000n)).toBe(1.5);
    expect(picoToUsd(11_475_000_000n)).toBeCloseTo(0.011475, 15);
    expect(picoToUsd(-2n * PICO_PER_USD)).toBe(-2);
    expect(picoToUsd(10n ** 24n)).toBe(1e12);
  });
});
