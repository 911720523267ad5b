/**
 * CSV and JSON reports through `POST /api/v1/reports` on a real control plane:
 * parsed back, their money sums to the ledger's exact total to the pico-dollar,
 * CSV is RFC 4180 and formula-safe, JSON carries the same rows and a summary.
 */
import { formatUsd, parseUsd } from '@tokenmeter/instrumentation/pricing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvCell, neutralise } from '../../src/reports/formats/csv.js';
import { startTestServer, type TestServer } from '../helpers.js';
import { NOW, ingest, ledgerTotal, parseCsv, runReport, seedRecords } from './support.js';

const FROM = Date.parse('2026-03-01T00:00:00Z');
const TO = Date.parse('2026-03-20T00:00:00Z');

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ now: NOW });
  await ingest(t, seedRecords({ from: FROM, to: TO, count: 1500 }));
});

afterAll(async () => {
  await t?.stop();
});

describe('CSV', () => {
  it('sums to the ledger total to the pico-dollar, per group and in all', async () => {
    const def = { kind: 'usage', format: 'csv', period: { from: '2026-03-01', to: '2026-03-20' }, group_by: ['department', 'model'], granularity: 'day' };
    const { body, headers } = await runReport(t, def);
    expect(headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(headers.get('content-disposition')).toBe('attachment; filename="tokenmeter-usage-2026-03-01_2026-03-19.csv"');
    const rows = parseCsv(body.toString('utf8'));
    const ledger = await ledgerTotal(t.cp.store, FROM, TO);
    expect(ledger.records).toBe(1500);
    expect(ledger.unpriced).toBeGreaterThan(0);
    expect(rows.reduce((s, r) => s + parseUsd(r.cost_usd!), 0n)).toBe(ledger.pico);
    expect(rows.reduce((s, r) => s + Number(r.requests), 0)).toBe(ledger.records);
    expect(rows.reduce((s, r) => s + Number(r.unpriced_requests), 0)).toBe(ledger.unpriced);
    // One department's rows sum to that department's ledger total.
    const eng = await ledgerTotal(t.cp.store, FROM, TO, { department: 'eng' });
    expect(rows.filter((r) => r.department === 'eng').reduce((s, r) => s + parseUsd(r.cost_usd!), 0n)).toBe(eng.pico);
    // 19 days: every row's bucket is one UTC day of the period.
    const starts = new Set(rows.map((r) => r.period_start));
    expect(starts.size).toBe(19);
    for (const r of rows) expect(Date.parse(r.period_end!) - Date.parse(r.period_start!)).toBe(86_400_000);
  });

  it('is RFC 4180 (CRLF, quoted commas, quotes and newlines) and neutralises formula-like text cells only', async () => {
    const { body } = await runReport(t, { kind: 'usage', format: 'csv', period: 'month_to_date', group_by: ['feature'] });
    const text = body.toString('utf8');
    expect(text.split('\r\n')[0]).toBe('feature,requests,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,reasoning_tokens,total_tokens,cost_usd,unpriced_requests');
    const features = parseCsv(text).map((r) => r.feature).sort();
    expect(features).toEqual(['\'+1 day', '\'-credit', '\'=HYPERLINK("http://x")', '\'@sum', 'a, "quoted"\nline', 'chat', 'search']);
    expect(text).toContain('"\'=HYPERLINK(""http://x"")"');
    // A line feed outside quotes only ever follows a carriage return.
    expect(/[^\r]\n/.test(text.replace(/"(?:[^"]|"")*"/g, '""'))).toBe(false);
  });

  it('writes numbers bare, so a negative amount stays a number; only text is prefixed', () => {
    const usd = { id: 'cost_usd', label: '', type: 'usd' } as const;
    const int = { id: 'n', label: '', type: 'integer' } as const;
    const txt = { id: 's', label: '', type: 'text' } as const;
    expect(csvCell(-1_500_000_000_000n, usd, 'UTC')).toBe('-1.5');
    expect(csvCell(-3, int, 'UTC')).toBe('-3');
    expect(csvCell('-3', txt, 'UTC')).toBe('\'-3');
    expect(csvCell('=1+1', txt, 'UTC')).toBe('\'=1+1');
    expect(csvCell('\tx', txt, 'UTC')).toBe('\'\tx');
    expect(neutralise('plain')).toBe('plain');
  });

  it('buckets days in the report time zone across a DST change (Europe/Berlin: 2026-03-29 has 23 hours)', async () => {
    const u = await startTestServer({ now: Date.parse('2026-04-01T00:00:00Z') });
    try {
      await ingest(u, seedRecords({ from: Date.parse('2026-03-27T23:00:00Z'), to: Date.parse('2026-03-30T22:00:00Z'), count: 300 }));
      const def = { kind: 'usage', format: 'csv', timezone: 'Europe/Berlin', period: { from: '2026-03-28', to: '2026-03-31' }, granularity: 'day' };
      const rows = parseCsv((await runReport(u, def)).body.toString());
      expect(rows.map((r) => [r.period_start, r.period_end])).toEqual([
        ['2026-03-28T00:00:00+01:00', '2026-03-29T00:00:00+01:00'],
        ['2026-03-29T00:00:00+01:00', '2026-03-30T00:00:00+02:00'],
        ['2026-03-30T00:00:00+02:00', '2026-03-31T00:00:00+02:00'],
      ]);
      for (const r of rows) {
        const day = await ledgerTotal(u.cp.store, Date.parse(r.period_start!), Date.parse(r.period_end!));
        expect(parseUsd(r.cost_usd!)).toBe(day.pico);
        expect(Number(r.requests)).toBe(day.records);
      }
      expect(Date.parse(rows[1]!.period_end!) - Date.parse(rows[1]!.period_start!)).toBe(23 * 3_600_000);
    } finally {
      await u.stop();
    }
  });
});

describe('JSON', () => {
  it('carries the same rows as the CSV and a summary whose totals are the ledger totals', async () => {
    const def = { kind: 'usage', period: 'month_to_date', group_by: ['user'], granularity: 'week', timezone: 'America/New_York' };
    const csv = parseCsv((await runReport(t, { ...def, format: 'csv' })).body.toString());
    const json = JSON.parse((await runReport(t, { ...def, format: 'json' })).body.toString()) as {
      report: { kind: string; period: { from: string; to: string; timezone: string }; generated_at: string };
      rows: Array<Record<string, unknown>>;
      summary: { rows: number; totals: Record<string, unknown>; charts: Array<{ id: string; points: Array<{ label: string; value_usd: string }> }> };
    };
    expect(json.report.period).toMatchObject({ from: '2026-03-01T00:00:00-05:00', to: '2026-03-20T08:00:00-04:00', timezone: 'America/New_York' });
    expect(json.report.generated_at).toBe('2026-03-20T08:00:00-04:00');
    expect(json.rows.length).toBe(csv.length);
    json.rows.forEach((row, i) => {
      for (const [k, v] of Object.entries(row)) {
        const c = csv[i]![k];
        if (v === null) expect(c).toBe('');
        else if (k === 'user') expect(c).toBe(v);
        else expect(c).toBe(String(v));
      }
    });
    const ledger = await ledgerTotal(t.cp.store, Date.parse('2026-03-01T05:00:00Z'), NOW);
    expect(json.summary.totals.cost_usd).toBe(formatUsd(ledger.pico));
    expect(json.summary.totals.requests).toBe(ledger.records);
    expect(json.summary.rows).toBe(json.rows.length);
    const overTime = json.summary.charts.find((c) => c.id === 'cost_over_time')!;
    expect(overTime.points.reduce((s, p) => s + parseUsd(p.value_usd), 0n)).toBe(ledger.pico);
  });

  it('streams the audit kind: one row per record, in time order, with the exact cost', async () => {
    const json = JSON.parse((await runReport(t, { kind: 'audit', format: 'json', period: { from: '2026-03-05', to: '2026-03-06' }, filters: { department: 'sales' } })).body.toString()) as {
      rows: Array<{ time: string; id: string; cost_usd: string | null; unpriced: boolean; department: string }>;
      summary: { totals: { cost_usd: string } };
    };
    const ledger = await ledgerTotal(t.cp.store, Date.parse('2026-03-05T00:00:00Z'), Date.parse('2026-03-06T00:00:00Z'), { department: 'sales' });
    expect(json.rows.length).toBe(ledger.records);
    expect(json.rows.every((r) => r.department === 'sales')).toBe(true);
    expect(json.rows.map((r) => r.time)).toEqual([...json.rows.map((r) => r.time)].sort());
    expect(json.rows.reduce((s, r) => s + (r.cost_usd === null ? 0n : parseUsd(r.cost_usd)), 0n)).toBe(ledger.pico);
    expect(json.rows.filter((r) => r.unpriced).every((r) => r.cost_usd === null)).toBe(true);
    expect(json.summary.totals.cost_usd).toBe(formatUsd(ledger.pico));
  });
});

describe('requests', () => {
  it('refuses bad definitions with 400 naming the field, and the ingest role with 403', async () => {
    const bad = async (body: unknown): Promise<{ status: number; body: { error: { details: Array<{ path: string }> } } }> => t.json('POST', '/api/v1/reports', body, 'read');
    expect((await bad({ kind: 'usage', format: 'xls' })).body.error.details[0]!.path).toBe('format');
    expect((await bad({ kind: 'audit', format: 'focus' })).body.error.details[0]!.path).toBe('format');
    expect((await bad({ kind: 'usage', timezone: 'Mars/Olympus' })).body.error.details[0]!.path).toBe('timezone');
    expect((await bad({ kind: 'usage', period: 'last_fortnight' })).body.error.details[0]!.path).toBe('period');
    expect((await bad({ kind: 'usage', period: { from: '2026-03-02', to: '2026-03-01' } })).body.error.details[0]!.path).toBe('period.to');
    expect((await bad({ kind: 'usage', group_by: ['user', 'user'] })).body.error.details[0]!.path).toBe('group_by');
    expect((await bad({ kind: 'usage', filters: { colour: 'red' } })).body.error.details[0]!.path).toBe('filters.colour');
    expect((await t.call('POST', '/api/v1/reports', { token: 'read', body: { kind: 'usage' } })).status).toBe(200);
    expect((await t.call('POST', '/api/v1/reports', { token: 'ingest', body: { kind: 'usage' } })).status).toBe(403);
  });

  it('answers 501 for the analytics kinds while no analytics service is connected', async () => {
    for (const kind of ['chargeback', 'forecast', 'recommendations']) {
      const res = await t.json('POST', '/api/v1/reports', { kind }, 'read');
      expect(res.status).toBe(501);
      expect(res.body.error.code).toBe('not_available');
    }
  });
});
