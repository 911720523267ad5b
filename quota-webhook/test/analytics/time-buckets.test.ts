import { describe, expect, it } from 'vitest';
import { bucketIndex, bucketStarts, hourOfWeek, isoInZone, localDate, monthSpan } from '../../src/analytics/time-buckets.js';

const at = Date.parse;
const iso = (ms: number): string => new Date(ms).toISOString();

describe('time-zone buckets', () => {
  it('local days across the Berlin spring-forward (23 h) and New York fall-back (25 h)', () => {
    const berlin = bucketStarts(at('2026-03-28T12:00:00Z'), at('2026-03-30T12:00:00Z'), 'day', 'Europe/Berlin');
    expect(berlin.map(iso)).toEqual(['2026-03-27T23:00:00.000Z', '2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z']);
    expect(berlin[2]! - berlin[1]!).toBe(23 * 3_600_000);
    const ny = bucketStarts(at('2026-11-01T04:00:00Z'), at('2026-11-02T06:00:00Z'), 'day', 'America/New_York');
    expect(ny.map(iso)).toEqual(['2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z']);
    expect(ny[1]! - ny[0]!).toBe(25 * 3_600_000);
  });

  it('local hours: the repeated hour of the fall-back night is two buckets', () => {
    const hours = bucketStarts(at('2026-11-01T04:00:00Z'), at('2026-11-01T08:00:00Z'), 'hour', 'America/New_York');
    expect(hours).toHaveLength(4);
    expect(hours.map((h) => isoInZone(h, 'America/New_York'))).toEqual([
      '2026-11-01T00:00:00-04:00', '2026-11-01T01:00:00-04:00', '2026-11-01T01:00:00-05:00', '2026-11-01T02:00:00-05:00',
    ]);
    // India is UTC+5:30: local hours start at :30 UTC.
    expect(iso(bucketStarts(at('2026-01-01T00:10:00Z'), at('2026-01-01T01:00:00Z'), 'hour', 'Asia/Kolkata')[0]!)).toBe('2025-12-31T23:30:00.000Z');
  });

  it('weeks start on Monday; months have 28 to 31 days', () => {
    const weeks = bucketStarts(at('2026-03-01T00:00:00Z'), at('2026-03-20T00:00:00Z'), 'week', 'UTC');
    expect(weeks.map((w) => new Date(w).getUTCDay())).toEqual([1, 1, 1, 1]);
    expect(iso(weeks[0]!)).toBe('2026-02-23T00:00:00.000Z');
    expect(monthSpan(at('2026-02-10T00:00:00Z'), 'UTC').days).toHaveLength(28);
    expect(monthSpan(at('2028-02-10T00:00:00Z'), 'UTC').days).toHaveLength(29);
    expect(monthSpan(at('2026-04-10T00:00:00Z'), 'Asia/Tokyo').days).toHaveLength(30);
    const march = monthSpan(at('2026-03-29T12:00:00Z'), 'Europe/Berlin');
    expect(march.days).toHaveLength(31);
    expect(march.today).toBe(28);
    expect(iso(march.start)).toBe('2026-02-28T23:00:00.000Z');
    expect(iso(march.end)).toBe('2026-03-31T22:00:00.000Z');
  });

  it('locating instants, local dates and hour of week', () => {
    const days = bucketStarts(at('2026-05-01T00:00:00Z'), at('2026-05-04T00:00:00Z'), 'day', 'UTC');
    const end = at('2026-05-04T00:00:00Z');
    expect(bucketIndex(days, at('2026-05-02T23:59:59Z'), end)).toBe(1);
    expect(bucketIndex(days, at('2026-04-30T23:59:59Z'), end)).toBe(-1);
    expect(bucketIndex(days, end, end)).toBe(-1);
    expect(localDate(at('2026-05-01T23:30:00Z'), 'Asia/Tokyo')).toBe('2026-05-02');
    // 2026-05-04 is a Monday: 09:00 Berlin (07:00 UTC) is hour 9 of the week.
    expect(hourOfWeek(at('2026-05-04T07:00:00Z'), 'Europe/Berlin')).toBe(9);
    expect(hourOfWeek(at('2026-05-10T23:00:00Z'), 'UTC')).toBe(167);
  });
});
