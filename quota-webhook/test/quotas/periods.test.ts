import { describe, expect, it } from 'vitest';
import { isValidTimeZone, nextWindowStart, windowStart } from '../../src/quotas/periods.js';

const iso = (ms: number): string => new Date(ms).toISOString();
const at = (s: string): number => Date.parse(s);

describe('period windows', () => {
  it('UTC hour, day, ISO week (Monday) and month', () => {
    const t = at('2026-03-05T13:45:10Z'); // a Thursday
    expect(iso(windowStart('hour', t, 'UTC'))).toBe('2026-03-05T13:00:00.000Z');
    expect(iso(windowStart('day', t, 'UTC'))).toBe('2026-03-05T00:00:00.000Z');
    expect(iso(windowStart('week', t, 'UTC'))).toBe('2026-03-02T00:00:00.000Z');
    expect(iso(windowStart('month', t, 'UTC'))).toBe('2026-03-01T00:00:00.000Z');
    expect(iso(nextWindowStart('week', t, 'UTC'))).toBe('2026-03-09T00:00:00.000Z');
    expect(iso(nextWindowStart('month', at('2026-12-31T23:59:59Z'), 'UTC'))).toBe('2027-01-01T00:00:00.000Z');
  });

  it('month ends: February of a leap year and 31-day months', () => {
    expect(iso(nextWindowStart('month', at('2028-02-29T12:00:00Z'), 'UTC'))).toBe('2028-03-01T00:00:00.000Z');
    expect(iso(windowStart('month', at('2026-01-31T23:30:00Z'), 'Europe/Berlin'))).toBe('2026-01-31T23:00:00.000Z');
    expect(iso(nextWindowStart('month', at('2026-01-15T00:00:00Z'), 'Asia/Tokyo'))).toBe('2026-01-31T15:00:00.000Z');
  });

  it('Europe/Berlin across the spring-forward day (23 hours)', () => {
    const t = at('2026-03-29T12:00:00Z'); // DST starts 2026-03-29 01:00 UTC
    const start = windowStart('day', t, 'Europe/Berlin');
    const next = nextWindowStart('day', t, 'Europe/Berlin');
    expect(iso(start)).toBe('2026-03-28T23:00:00.000Z');
    expect(iso(next)).toBe('2026-03-29T22:00:00.000Z');
    expect(next - start).toBe(23 * 3_600_000);
  });

  it('America/New_York across the fall-back day (25 hours) and the repeated hour', () => {
    const t = at('2026-11-01T12:00:00Z');
    const start = windowStart('day', t, 'America/New_York');
    expect(iso(start)).toBe('2026-11-01T04:00:00.000Z');
    expect(nextWindowStart('day', t, 'America/New_York') - start).toBe(25 * 3_600_000);
    // 01:30 EDT and 01:30 EST are different hour windows.
    expect(iso(windowStart('hour', at('2026-11-01T05:30:00Z'), 'America/New_York'))).toBe('2026-11-01T05:00:00.000Z');
    expect(iso(windowStart('hour', at('2026-11-01T06:30:00Z'), 'America/New_York'))).toBe('2026-11-01T06:00:00.000Z');
  });

  it('half-hour offsets (Asia/Kolkata) move hour and day windows', () => {
    const t = at('2026-06-10T10:10:00Z'); // 15:40 IST
    expect(iso(windowStart('hour', t, 'Asia/Kolkata'))).toBe('2026-06-10T09:30:00.000Z');
    expect(iso(windowStart('day', t, 'Asia/Kolkata'))).toBe('2026-06-09T18:30:00.000Z');
    expect(iso(windowStart('week', t, 'Asia/Kolkata'))).toBe('2026-06-07T18:30:00.000Z');
  });

  it('Australia/Sydney week starting on Monday across its DST end (first Sunday of April)', () => {
    const t = at('2026-04-06T03:00:00Z'); // Monday 13:00 AEST
    expect(iso(windowStart('week', t, 'Australia/Sydney'))).toBe('2026-04-05T14:00:00.000Z');
    const prev = at('2026-04-04T03:00:00Z'); // Saturday, still AEDT
    expect(iso(windowStart('week', prev, 'Australia/Sydney'))).toBe('2026-03-29T13:00:00.000Z');
    expect(iso(nextWindowStart('week', prev, 'Australia/Sydney'))).toBe('2026-04-05T14:00:00.000Z');
  });

  it('validates IANA names', () => {
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });
});
