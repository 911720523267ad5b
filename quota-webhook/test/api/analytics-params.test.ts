import { describe, expect, it } from 'vitest';
import { parseCommon, parseWindow } from '../../src/api/analytics-params.js';
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

describe('analytics common parameters', () => {
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

  it('as_of may lead the clock by the skew allowance only; impossible dates are refused', () => {
    expect(iso(parseWindow({ as_of: '2026-11-20T12:01:00Z' }, NOW, 'month_to_date').asOfMs)).toBe('2026-11-20T12:01:00.000Z');
    expect(fails({ as_of: '2026-11-20T12:01:01Z' })).toEqual(['as_of']);
    expect(fails({ as_of: '2026-11-21' })).toEqual(['as_of']);
    expect(fails({ from: '2026-02-30' })).toEqual(['from']);
    expect(fails({ to: '2026-11-10T24:00:00Z' })).toEqual(['to']);
    // Seconds are optional in a date-time (ISO 8601), the offset is not.
    expect(iso(parseWindow({ from: '2026-11-02T09:30+01:00' }, NOW, 'month_to_date').fromMs)).toBe('2026-11-02T08:30:00.000Z');
    expect(fails({ from: '2026-11-02T09:30:00' })).toEqual(['from']);
  });

  it('every bad parameter is listed, in one message', () => {
    try {
      parseWindow({ subject: 'rag', as_of: '2027-01-01', from: 'soon' }, NOW, 'month_to_date');
      throw new Error('expected a 400');
    } catch (e) {
      expect((e as ApiError).toJSON()).toEqual({ error: {
        code: 'invalid_request',
        message: 'invalid query: scope: is required with subject (e.g. scope=department&subject=research) (and 2 more)',
        details: [
          { path: 'scope', message: 'is required with subject (e.g. scope=department&subject=research)' },
          { path: 'as_of', message: 'must not be in the future (2027-01-01T00:00:00.000Z is after now, 2026-11-20T12:00:00.000Z, by more than 60 s)' },
          { path: 'from', message: 'must be an RFC 3339 date-time (e.g. 2026-03-01T09:00:00Z) or a YYYY-MM-DD date (local midnight in tz)' },
        ],
      } });
    }
  });

  it('scope alone is a grouping only where the endpoint says so (quota-suggestions)', () => {
    expect(parseCommon({ scope: 'department' }, NOW, { scope: 'grouping' })).toMatchObject({ scope: 'department' });
    expect(() => parseCommon({ scope: 'department' }, NOW)).toThrow('invalid query: subject: is required with scope');
    expect(() => parseCommon({ subject: 'rag' }, NOW, { scope: 'grouping' })).toThrow('invalid query: scope: is required with subject');
  });
});
