import { parseUsd } from '@tokenmeter/instrumentation/pricing';
import { describe, expect, it } from 'vitest';
import { monthToDate, previousPeriod } from '../../src/analytics/comparison-period.js';
import { efficiencyTable, type EfficiencyGroup } from '../../src/analytics/efficiency.js';
import { featureValuePico, monthlyValuePico, roiFigures, valueSegments, type FeatureValueVersion } from '../../src/analytics/roi.js';
import { topTable } from '../../src/analytics/top.js';

const t = (s: string): number => Date.parse(s);

function version(from: string, v: Partial<FeatureValueVersion>): FeatureValueVersion {
  return { effective_from: from, effective_ms: t(from), ...v };
}

describe('feature value and ROI', () => {
  it('per successful request, by the version in force at each stretch of the period', () => {
    const versions = [version('2026-03-10T00:00:00Z', { usd_per_success: '0.05' }), version('2026-03-01T00:00:00Z', { usd_per_success: '0.02' })];
    const segments = valueSegments(versions, t('2026-02-15T00:00:00Z'), t('2026-04-01T00:00:00Z'));
    expect(segments.map((s) => [new Date(s.fromMs).toISOString(), new Date(s.toMs).toISOString(), s.version.usd_per_success])).toEqual([
      ['2026-03-01T00:00:00.000Z', '2026-03-10T00:00:00.000Z', '0.02'],
      ['2026-03-10T00:00:00.000Z', '2026-04-01T00:00:00.000Z', '0.05'],
    ]);
    // 1,000 successes × $0.02 + 3,000 × $0.05 = $170.
    expect(featureValuePico(segments, [1000, 3000], 'UTC')).toBe(parseUsd('170'));
  });

  it('per month, pro rata over calendar months in the time zone', () => {
    // 10 days of a 31-day March: $3,100 × 10/31 = $1,000.
    expect(monthlyValuePico(parseUsd('3100'), t('2026-03-01T00:00:00Z'), t('2026-03-11T00:00:00Z'), 'UTC')).toBe(parseUsd('1000'));
    // Half of February (28 days) + all of March: $2,800 × 14/28 + $2,800 = $4,200.
    expect(monthlyValuePico(parseUsd('2800'), t('2026-02-15T00:00:00Z'), t('2026-04-01T00:00:00Z'), 'UTC')).toBe(parseUsd('4200'));
    // A New York month runs from local midnight: March 2026 in New York is 31 days less the DST hour.
    const ny = monthlyValuePico(parseUsd('1000'), t('2026-03-01T05:00:00Z'), t('2026-04-01T04:00:00Z'), 'America/New_York');
    expect(ny).toBe(parseUsd('1000'));
  });

  it('ROI, net and the undefined ROI of a free feature', () => {
    expect(roiFigures(parseUsd('170'), parseUsd('68'))).toEqual({ value_usd: '170', cost_usd: '68', net_usd: '102', roi: 1.5 });
    expect(roiFigures(parseUsd('1'), parseUsd('3'))).toMatchObject({ net_usd: '-2', roi: -0.6667 });
    expect(roiFigures(parseUsd('5'), 0n).roi).toBeNull();
  });
});

describe('efficiency', () => {
  const g = (key: string, over: Partial<EfficiencyGroup>): EfficiencyGroup => ({
    key, requests: 100, ok: 100, errors: 0, blocked: 0, input: 10_000, output: 5_000, cache_read: 0, cache_write: 0, reasoning: 0,
    cost_pico: parseUsd('1'), latency_sum_ms: 100_000, latency_count: 100, ...over,
  });

  it('cost per successful request counts failed spend; each metric against the median of the groups', () => {
    const { rows, median } = efficiencyTable([
      g('a', {}),
      g('b', { ok: 80, errors: 20, cost_pico: parseUsd('2'), cache_read: 10_000 }),
      g('c', { cost_pico: parseUsd('3'), latency_sum_ms: 300_000, blocked: 10, latency_count: 90 }),
    ]);
    expect(rows.map((r) => r.cost_per_successful_request_usd)).toEqual(['0.01', '0.025', '0.03']);
    expect(median.cost_per_successful_request_usd).toBe('0.025');
    expect(rows[0]!.vs_median.cost_per_successful_request).toBe(0.4);
    expect(rows[1]).toMatchObject({ error_rate: 0.2, cache_read_share_of_input: 0.5, output_per_input: 0.25 });
    expect(rows[2]).toMatchObject({ block_rate: 0.1, mean_latency_ms: 3333.3 });
    expect(median.mean_latency_ms).toBe(1000);
    expect(rows[2]!.vs_median.mean_latency_ms).toBe(3.3333);
    expect(rows[0]!.tokens_per_request).toEqual({ input: 100, output: 50, cache_read: 0, cache_write: 0, reasoning: 0, total: 150 });
  });

  it('a group without successes has no cost per success', () => {
    const { rows } = efficiencyTable([g('x', { ok: 0, errors: 100 })]);
    expect(rows[0]!.cost_per_successful_request_usd).toBeNull();
    expect(rows[0]!.vs_median.cost_per_successful_request).toBeNull();
  });
});

describe('top consumers', () => {
  const cur = [
    { key: 'eng', requests: 100, tokens: 1000, cost_pico: parseUsd('60'), active_users: 4 },
    { key: 'sales', requests: 50, tokens: 500, cost_pico: parseUsd('30'), active_users: 3 },
    { key: null, requests: 10, tokens: 100, cost_pico: parseUsd('10'), active_users: 0 },
  ];
  const prev = [{ key: 'eng', requests: 80, tokens: 900, cost_pico: parseUsd('40') }];

  it('share of the total and change against the previous period; the rest summed', () => {
    const table = topTable(cur, prev, 'cost', 2);
    expect(table.rows.map((r) => [r.rank, r.key, r.cost_usd, r.share, r.change, r.change_absolute])).toEqual([
      [1, 'eng', '60', 0.6, 0.5, '20'],
      [2, 'sales', '30', 0.3, null, '30'],
    ]);
    expect(table.others).toEqual({ cost_usd: '10', tokens: 100, requests: 10, groups: 1 });
    expect(table.total.cost_usd).toBe('100');
    expect(table.previous_total.cost_usd).toBe('40');
  });

  it('ranks by the chosen metric and compares departments per request and per active user', () => {
    const table = topTable(cur, prev, 'requests', 10, true);
    expect(table.rows[0]).toMatchObject({ key: 'eng', change: 0.25, change_absolute: 20, cost_per_request_usd: '0.6', active_users: 4, cost_per_active_user_usd: '15' });
    expect(table.rows[2]).toMatchObject({ key: null, cost_per_active_user_usd: null });
  });
});

describe('comparison periods', () => {
  it('month to date compares with the same stretch of the previous month', () => {
    const p = previousPeriod(t('2026-03-01T00:00:00Z'), t('2026-03-15T12:00:00Z'), 'UTC');
    expect([new Date(p.fromMs).toISOString(), new Date(p.toMs).toISOString(), p.basis]).toEqual(['2026-02-01T00:00:00.000Z', '2026-02-15T12:00:00.000Z', 'month_to_date']);
    // 30 days into a 31-day month is clipped at the end of a 28-day February.
    expect(new Date(previousPeriod(t('2026-03-01T00:00:00Z'), t('2026-03-31T00:00:00Z'), 'UTC').toMs).toISOString()).toBe('2026-03-01T00:00:00.000Z');
  });

  it('whole months compare with as many months before; other periods with the stretch just before', () => {
    const q = previousPeriod(t('2026-01-01T00:00:00Z'), t('2026-04-01T00:00:00Z'), 'UTC');
    expect([new Date(q.fromMs).toISOString(), new Date(q.toMs).toISOString(), q.basis]).toEqual(['2025-10-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 'calendar_months']);
    const ny = previousPeriod(t('2026-04-01T04:00:00Z'), t('2026-05-01T04:00:00Z'), 'America/New_York');
    expect(new Date(ny.fromMs).toISOString()).toBe('2026-03-01T05:00:00.000Z');
    const w = previousPeriod(t('2026-03-10T00:00:00Z'), t('2026-03-17T00:00:00Z'), 'UTC');
    expect([new Date(w.fromMs).toISOString(), w.basis]).toEqual(['2026-03-03T00:00:00.000Z', 'equal_length']);
    expect(monthToDate(t('2026-03-15T12:00:00Z'), 'Asia/Tokyo').fromMs).toBe(t('2026-02-28T15:00:00Z'));
  });
});
