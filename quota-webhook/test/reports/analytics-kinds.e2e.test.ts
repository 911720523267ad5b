/**
 * The chargeback, forecast and recommendations kinds read the analytics
 * services through `ReportSources`. Here each source is an object answering
 * in the analytics endpoints' documented shape (the services themselves are
 * tested where they live): the report passes the query on, maps the answer
 * to rows, totals and charts exactly, and refuses answers that break the
 * contract or do not reconcile (500, never printed).
 */
import { parseUsd } from '@tokenmeter/instrumentation/pricing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AllocationResult, AnalyticsQuery, ForecastResult, RecommendationsResult } from '../../src/reports/kinds/sources.js';
import { validateFocusHeader, validateFocusRow } from '../../src/reports/focus/validate.js';
import { startTestServer, type TestServer } from '../helpers.js';
import { NOW, parseCsv, runReport } from './support.js';

let t: TestServer;
const queries: AnalyticsQuery[] = [];
let allocation: AllocationResult;

const forecast: ForecastResult = {
  method: 'weekday-mean',
  month_to_date_usd: '812.5',
  points: [
    { date: '2026-03-20', actual_usd: '40.25', expected_usd: '41', lower_80_usd: '35', upper_80_usd: '47', lower_95_usd: '31.5', upper_95_usd: '50.125' },
    { date: '2026-03-21', actual_usd: null, expected_usd: '42.000000000001', lower_80_usd: '36', upper_80_usd: '48', lower_95_usd: '32', upper_95_usd: '52' },
  ],
  month_end: { expected_usd: '1320.75', lower_80_usd: '1250', upper_80_usd: '1400', lower_95_usd: '1200', upper_95_usd: '1450' },
  budgets: [{ id: 'eng-monthly', name: 'Engineering', limit_usd: '1300', probability_exceeded: 0.62, expected_crossing: '2026-03-29' }],
};

const recommendations: RecommendationsResult = {
  recommendations: [
    { id: 'r1', type: 'caching', title: 'Enable prompt caching on feature search', subject: 'search', estimated_monthly_savings_usd: '120.5', difficulty: 'low', confidence: 0.8 },
    { id: 'r2', type: 'batching', title: 'Move nightly summaries to the batch API', subject: 'summarise', estimated_monthly_savings_usd: '310', difficulty: 'medium', confidence: 'high' },
    { id: 'r3', type: 'model-selection', title: 'Try a smaller model for chat', estimated_monthly_savings_usd: '99.999999999999', difficulty: 'high', confidence: 0.4, dismissed: true },
  ],
};

beforeAll(async () => {
  t = await startTestServer({ now: NOW });
  t.cp.reports.connect({
    chargeback: { allocation: async (q) => { queries.push(q); return allocation; } },
    forecast: { forecast: async (q) => { queries.push(q); return forecast; } },
    recommendations: { recommendations: async (q) => { queries.push(q); return recommendations; } },
  });
});

afterAll(async () => {
  await t?.stop();
});

describe('chargeback', () => {
  it('maps the allocation to rows and totals, passes scope, time zone, as_of and rules on', async () => {
    allocation = {
      total_usd: '1000.000000000003',
      unallocated_usd: '0.000000000003',
      rows: [
        { subject: 'eng', direct_usd: '600', shared_usd: '100', total_usd: '700', rule_ids: ['shared-platform'] },
        { subject: 'sales', direct_usd: '250', shared_usd: '50', total_usd: '300', rule_ids: ['shared-platform'] },
      ],
    };
    queries.length = 0;
    const rules = [{ id: 'shared-platform', pool: { feature: 'platform' }, method: 'proportional' }];
    const json = JSON.parse((await runReport(t, { kind: 'chargeback', format: 'json', scope: 'department', period: 'last_month', timezone: 'Europe/Berlin', allocation_rules: rules })).body.toString());
    expect(queries).toHaveLength(1);
    expect(queries[0]).toMatchObject({ scope: 'department', tz: 'Europe/Berlin', as_of: Date.parse('2026-02-28T23:00:00Z'), from: Date.parse('2026-01-31T23:00:00Z'), rules });
    expect(json.rows).toEqual([
      { subject: 'eng', direct_usd: '600', shared_usd: '100', total_usd: '700', rule_ids: 'shared-platform' },
      { subject: 'sales', direct_usd: '250', shared_usd: '50', total_usd: '300', rule_ids: 'shared-platform' },
    ]);
    expect(json.summary.totals).toEqual({ total_usd: '1000.000000000003', direct_usd: '850', shared_usd: '150', unallocated_usd: '0.000000000003', subjects: 2 });
  });

  it('exports FOCUS rows that pass the validator and add up to the allocated total', async () => {
    const text = (await runReport(t, { kind: 'chargeback', format: 'focus', scope: 'department', period: 'last_month' })).body.toString();
    const rows = parseCsv(text);
    expect(validateFocusHeader(text.split('\r\n')[0]!.split(','))).toEqual([]);
    expect(rows.flatMap((r, i) => validateFocusRow(r, i))).toEqual([]);
    expect(rows.map((r) => [r.BillingAccountName, r.x_Allocation, r.EffectiveCost])).toEqual([['eng', 'direct', '600'], ['eng', 'shared', '100'], ['sales', 'direct', '250'], ['sales', 'shared', '50']]);
    expect(rows.reduce((s, r) => s + parseUsd(r.EffectiveCost!), 0n)).toBe(parseUsd('1000'));
    expect(JSON.parse(rows[1]!.Tags!)).toEqual({ scope: 'department', subject: 'eng', allocation: 'shared', allocation_rules: 'shared-platform' });
    expect(rows[0]!.BillingPeriodStart).toBe('2026-02-01T00:00:00Z');
  });

  it('refuses a FOCUS chargeback over more than one month (400) and an allocation that does not reconcile (500)', async () => {
    const long = await t.json('POST', '/api/v1/reports', { kind: 'chargeback', format: 'focus', period: 'last_quarter' }, 'read');
    expect(long.status).toBe(400);
    expect(long.body.error.details[0].path).toBe('period');
    allocation = { total_usd: '10', rows: [{ subject: 'eng', direct_usd: '6', shared_usd: '3', total_usd: '9' }] };
    expect((await t.call('POST', '/api/v1/reports', { token: 'read', body: { kind: 'chargeback', format: 'csv' } })).status).toBe(500);
    allocation = { total_usd: '10', rows: [{ subject: 'eng', direct_usd: '6', shared_usd: 'three', total_usd: '9' }] } as unknown as AllocationResult;
    expect((await t.call('POST', '/api/v1/reports', { token: 'read', body: { kind: 'chargeback', format: 'csv' } })).status).toBe(500);
  });
});

describe('forecast', () => {
  it('carries the daily points, the month-end interval and the budget risk', async () => {
    queries.length = 0;
    const json = JSON.parse((await runReport(t, { kind: 'forecast', format: 'json', scope: 'department', subject: 'eng', horizon: '30d' })).body.toString());
    expect(queries[0]).toMatchObject({ scope: 'department', subject: 'eng', horizon: '30d', as_of: NOW, tz: 'UTC' });
    expect(json.rows).toEqual([
      { date: '2026-03-20', actual_usd: '40.25', expected_usd: '41', lower_80_usd: '35', upper_80_usd: '47', lower_95_usd: '31.5', upper_95_usd: '50.125', cumulative_expected_usd: null },
      { date: '2026-03-21', actual_usd: null, expected_usd: '42.000000000001', lower_80_usd: '36', upper_80_usd: '48', lower_95_usd: '32', upper_95_usd: '52', cumulative_expected_usd: null },
    ]);
    expect(json.summary.totals).toMatchObject({ month_to_date_usd: '812.5', month_end_expected_usd: '1320.75', month_end_upper_95_usd: '1450', 'budget_eng-monthly_probability_exceeded': 0.62 });
    expect(json.summary.notes).toContain('Budget Engineering (limit 1300 USD): 62.0% probability of being exceeded, expected crossing 2026-03-29.');
  });

  it('prints the budget risk and the month-end interval in the PDF', async () => {
    const pdf = (await runReport(t, { kind: 'forecast', format: 'pdf' })).body;
    const { execFileSync } = await import('node:child_process');
    const text = execFileSync('pdftotext', ['-layout', '-', '-'], { input: pdf, encoding: 'utf8' });
    expect(text).toContain('LLM spend forecast');
    expect(text).toContain('Budget Engineering (limit 1300 USD): 62.0% probability of being exceeded, expected crossing 2026-03-29.');
    expect(text).toContain('Month-end expected (USD): 1320.75');
    expect(text).toContain('Month-end spend: expected and intervals (USD)');
  });
});

describe('recommendations', () => {
  it('lists them by savings, totals the open ones exactly', async () => {
    const csv = parseCsv((await runReport(t, { kind: 'recommendations', format: 'csv' })).body.toString());
    expect(csv.map((r) => [r.id, r.estimated_monthly_savings_usd, r.dismissed])).toEqual([['r2', '310', 'false'], ['r1', '120.5', 'false'], ['r3', '99.999999999999', 'true']]);
    const json = JSON.parse((await runReport(t, { kind: 'recommendations', format: 'json' })).body.toString());
    expect(json.summary.totals).toEqual({ estimated_monthly_savings_usd: '430.5', open: 2, dismissed: 1 });
    expect(json.summary.charts[0].points).toEqual([{ label: 'batching', value_usd: '310' }, { label: 'caching', value_usd: '120.5' }]);
  });
});
