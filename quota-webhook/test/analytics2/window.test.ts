import { describe, expect, it } from 'vitest';
import { parseWindow } from '../../src/api/analytics-window.js';
import { ApiError } from '../../src/errors.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString();

function fails(q: Record<string, string>): string[] {
  try {
    parseWindow(q, NOW, 'month_to_date');
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return (e as ApiError).details.map((d) => d.path);
  }
  throw new Error('expected a 400');
}

describe('analytics window parameters', () => {
  it('defaults: the month to date, or the 30 days before to', () => {
    const mtd = parseWindow({}, NOW, 'month_to_date');
    expect([iso(mtd.fromMs), iso(mtd.toMs), iso(mtd.asOfMs), mtd.tz]).toEqual(['2026-11-01T00:00:00.000Z', '2026-11-20T12:00:00.000Z', '2026-11-20T12:00:00.000Z', 'UTC']);
    expect(iso(parseWindow({}, NOW, 'last_30_days').fromMs)).toBe('2026-10-21T12:00:00.000Z');
    // as_of exactly at a month start: the month before, whole.
    expect(iso(parseWindow({ as_of: '2026-11-01T00:00:00Z' }, NOW, 'month_to_date').fromMs)).toBe('2026-10-01T00:00:00.000Z');
  });

  it('dates are local midnight in tz; to never passes as_of', () => {
    const w = parseWindow({ from: '2026-11-01', to: '2026-12-01', tz: 'America/New_York', as_of: '2026-11-15' }, NOW, 'month_to_date');
    expect(iso(w.fromMs)).toBe('2026-11-01T04:00:00.000Z');
    expect(iso(w.asOfMs)).toBe('2026-11-15T05:00:00.000Z');
    expect(w.toMs).toBe(w.asOfMs);
    expect(iso(parseWindow({ tz: 'Asia/Tokyo' }, NOW, 'month_to_date').fromMs)).toBe('2026-10-31T15:00:00.000Z');
  });

  it('scope and subject go together; bad zones and periods are named', () => {
    expect(parseWindow({ scope: 'feature', subject: 'rag' }, NOW, 'month_to_date')).toMatchObject({ scope: 'feature', subject: 'rag' });
    expect(fails({ scope: 'feature' })).toEqual(['subject']);
    expect(fails({ subject: 'rag' })).toEqual(['scope']);
    expect(fails({ tz: 'Mars/Olympus' })).toEqual(['tz']);
    expect(fails({ from: '2026-11-10', to: '2026-11-01' })).toEqual(['from']);
    expect(fails({ from: '2026-12-01' })).toEqual(['from']);
  });
});
