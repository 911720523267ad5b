/** Relative and absolute report periods resolve in the report's time zone, DST-correct. */
import { describe, expect, it } from 'vitest';
import { PERIOD_PRESETS, type PeriodPreset } from '../../src/reports/definition.js';
import { formatInstant, presetRange, resolvePeriod } from '../../src/reports/periods.js';

const iso = (ms: number, tz: string): string => formatInstant(ms, tz);
function range(preset: PeriodPreset, now: string, tz: string): [string, string] {
  const r = presetRange(preset, Date.parse(now), tz);
  return [iso(r.from, tz), iso(r.to, tz)];
}

describe('presets', () => {
  // Wednesday 2026-04-01 10:30 in Berlin (CEST, +02:00): the month before began in CET (+01:00).
  const now = '2026-04-01T08:30:00Z';
  const tz = 'Europe/Berlin';

  it.each([
    ['today', '2026-04-01T00:00:00+02:00', '2026-04-01T10:30:00+02:00'],
    ['yesterday', '2026-03-31T00:00:00+02:00', '2026-04-01T00:00:00+02:00'],
    ['last_24_hours', '2026-03-31T10:30:00+02:00', '2026-04-01T10:30:00+02:00'],
    ['last_7_days', '2026-03-25T00:00:00+01:00', '2026-04-01T00:00:00+02:00'],
    ['week_to_date', '2026-03-30T00:00:00+02:00', '2026-04-01T10:30:00+02:00'],
    ['last_week', '2026-03-23T00:00:00+01:00', '2026-03-30T00:00:00+02:00'],
    ['month_to_date', '2026-04-01T00:00:00+02:00', '2026-04-01T10:30:00+02:00'],
    ['last_month', '2026-03-01T00:00:00+01:00', '2026-04-01T00:00:00+02:00'],
    ['quarter_to_date', '2026-04-01T00:00:00+02:00', '2026-04-01T10:30:00+02:00'],
    ['last_quarter', '2026-01-01T00:00:00+01:00', '2026-04-01T00:00:00+02:00'],
    ['year_to_date', '2026-01-01T00:00:00+01:00', '2026-04-01T10:30:00+02:00'],
    ['last_year', '2025-01-01T00:00:00+01:00', '2026-01-01T00:00:00+01:00'],
  ] as const)('%s', (preset, from, to) => {
    expect(range(preset, now, tz)).toEqual([from, to]);
  });

  it('last_month in Berlin is 743 hours long (the spring-forward hour is missing)', () => {
    const r = presetRange('last_month', Date.parse(now), tz);
    expect((r.to - r.from) / 3_600_000).toBe(31 * 24 - 1);
  });

  it('last_30_days and last_90_days end at the start of today', () => {
    expect(range('last_30_days', now, tz)).toEqual(['2026-03-02T00:00:00+01:00', '2026-04-01T00:00:00+02:00']);
    expect(range('last_90_days', '2026-04-01T08:30:00Z', 'UTC')).toEqual(['2026-01-01T00:00:00Z', '2026-04-01T00:00:00Z']);
  });

  it('quarters in a zone west of UTC (the instant is still in Q4 locally)', () => {
    expect(range('quarter_to_date', '2026-01-01T03:00:00Z', 'America/Los_Angeles')).toEqual(['2025-10-01T00:00:00-07:00', '2025-12-31T19:00:00-08:00']);
    expect(range('last_quarter', '2026-01-01T03:00:00Z', 'America/Los_Angeles')).toEqual(['2025-07-01T00:00:00-07:00', '2025-10-01T00:00:00-07:00']);
  });

  it('every preset is [from, to) with from ≤ to', () => {
    for (const p of PERIOD_PRESETS) {
      const r = presetRange(p, Date.parse(now), 'Asia/Kolkata');
      expect(r.from).toBeLessThanOrEqual(r.to);
    }
  });
});

describe('absolute periods', () => {
  it('a date is local midnight in the report zone; a date-time is its instant', () => {
    const p = resolvePeriod({ timezone: 'Asia/Kolkata', period: { from: '2026-03-01', to: '2026-03-02T12:00:00Z' } }, 0);
    expect(iso(p.from, 'UTC')).toBe('2026-02-28T18:30:00Z');
    expect(iso(p.to, 'UTC')).toBe('2026-03-02T12:00:00Z');
    expect(p.preset).toBe('custom');
  });

  it('a day that starts at 01:00 (a midnight DST change) starts at 01:00', () => {
    // America/Santiago moved its clocks at midnight on 2025-09-07: that day begins at 01:00 local.
    const p = resolvePeriod({ timezone: 'America/Santiago', period: { from: '2025-09-07', to: '2025-09-08' } }, 0);
    expect(iso(p.from, 'America/Santiago')).toBe('2025-09-07T01:00:00-03:00');
    expect((p.to - p.from) / 3_600_000).toBe(23);
  });

  it('refuses an end not after the start (in the zone)', () => {
    expect(() => resolvePeriod({ timezone: 'UTC', period: { from: '2026-03-02', to: '2026-03-02' } }, 0)).toThrow(/period\.to/);
  });
});
