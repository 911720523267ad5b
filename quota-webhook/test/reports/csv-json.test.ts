/**
 * CSV and JSON reports through `POST /api/v1/reports` on a real control plane:
 * parsed back, their money sums to the ledger's exact total to the pico-dollar,
 * CSV is RFC 4180 and formula-safe, JSON carries the same rows and a summary.
 */
import { formatUsd, parseUsd } from '@tokenmeter/instrumentation/pricing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_HORIZON_DAYS } from '../../src/analytics/forecast.js';
import { csvCell, neutralise } from '../../src/reports/formats/csv.js';
import { MAX_FORECAST_DAYS } from '../../src/reports/definition.js';
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

  it('answers 501 for an analytics kind whose service is not connected', async () => {
    const sources = t.cp.reports.sources;
    t.cp.reports.connect({ forecast: undefined });
    try {
      const res = await t.json('POST', '/api/v1/reports', { kind: 'forecast' }, 'read');
      expect(res.status).toBe(501);
      expect(res.body.error.code).toBe('not_available');
    } finally {
      t.cp.reports.connect(sources);
    }
  });
});

describe('forecast', () => {
  // The report reads the same forecast as GET /analytics/forecast for the report's as_of (the end of its period, or now).
  const api = async (query: string): Promise<ForecastApi> => {
    const res = await t.json('GET', `/api/v1/analytics/forecast?${query}`, undefined, 'read');
    expect(res.status).toBe(200);
    return res.body as ForecastApi;
  };
  interface Band { time: string; expected_usd: string; lower_80_usd: string; upper_80_usd: string; lower_95_usd: string; upper_95_usd: string }
  interface ForecastApi {
    method: string; month_to_date_usd: string; today_so_far_usd: string; month_end: Omit<Band, 'time'>; points: Band[]; daily: Band[];
    budgets: Array<{ id: string; kind: string; limit_usd: string; probability_exceeded: number; expected_crossing: string | null }>;
  }
  const rowsOf = (f: ForecastApi): Array<Record<string, string | null>> => f.daily.map((d, i) => ({
    date: d.time.slice(0, 10), actual_usd: i === 0 ? f.today_so_far_usd : null, expected_usd: d.expected_usd, lower_80_usd: d.lower_80_usd,
    upper_80_usd: d.upper_80_usd, lower_95_usd: d.lower_95_usd, upper_95_usd: d.upper_95_usd, cumulative_expected_usd: f.points[i]!.expected_usd,
  }));

  beforeAll(async () => {
    // Eng's spend of 19 days, scaled to the month: one budget it will likely cross, one it will not.
    const eng = await ledgerTotal(t.cp.store, FROM, TO, { department: 'eng' });
    const monthly = (eng.pico * 31n) / 19n;
    const budgets = [
      { id: 'budget-eng-tight', name: 'Engineering (tight)', scope: 'department', subject: 'eng', amount: Number(formatUsd((monthly * 8n) / 10n)), period: 'month', timezone: 'UTC' },
      { id: 'budget-eng-roomy', scope: 'department', subject: 'eng', amount: Number(formatUsd(monthly * 3n)), period: 'month', timezone: 'UTC' },
    ];
    for (const b of budgets) {
      const res = await t.json('POST', '/api/v1/budgets', b);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
  });

  it('JSON rows, month end and budget risk equal GET /analytics/forecast for the same as_of', async () => {
    const f = await api(`scope=department&subject=eng&as_of=${new Date(NOW).toISOString()}`);
    const json = JSON.parse((await runReport(t, { kind: 'forecast', format: 'json', scope: 'department', subject: 'eng' })).body.toString());
    // Month to date: the report runs on the 20th; the month end is in 12 days (today included).
    expect(json.rows).toHaveLength(12);
    expect(json.rows).toEqual(rowsOf(f));
    expect(json.rows[0].date).toBe('2026-03-20');
    expect(json.rows[11].date).toBe('2026-03-31');
    expect(json.rows[11].cumulative_expected_usd).toBe(f.month_end.expected_usd);
    // Real figures: eng spends every day, so every day's expectation is positive, inside its intervals.
    for (const r of json.rows) {
      expect(parseUsd(r.expected_usd)).toBeGreaterThan(0n);
      expect(parseUsd(r.lower_95_usd) <= parseUsd(r.lower_80_usd) && parseUsd(r.lower_80_usd) <= parseUsd(r.expected_usd)).toBe(true);
      expect(parseUsd(r.expected_usd) <= parseUsd(r.upper_80_usd) && parseUsd(r.upper_80_usd) <= parseUsd(r.upper_95_usd)).toBe(true);
    }
    const eng = await ledgerTotal(t.cp.store, FROM, TO, { department: 'eng' });
    expect(json.summary.totals.month_to_date_usd).toBe(formatUsd(eng.pico));
    expect(json.summary.totals).toMatchObject({
      month_end_expected_usd: f.month_end.expected_usd, month_end_lower_80_usd: f.month_end.lower_80_usd, month_end_upper_80_usd: f.month_end.upper_80_usd,
      month_end_lower_95_usd: f.month_end.lower_95_usd, month_end_upper_95_usd: f.month_end.upper_95_usd,
    });
    const tight = f.budgets.find((b) => b.id === 'budget-eng-tight')!;
    const roomy = f.budgets.find((b) => b.id === 'budget-eng-roomy')!;
    expect(tight.probability_exceeded).toBeGreaterThan(0.5);
    expect(roomy.probability_exceeded).toBeLessThan(0.1);
    expect(json.summary.totals['budget_budget-eng-tight_probability_exceeded']).toBe(tight.probability_exceeded);
    expect(json.summary.totals['budget_budget-eng-roomy_probability_exceeded']).toBe(roomy.probability_exceeded);
    expect(json.summary.notes).toContain(`Budget Engineering (tight) (limit ${tight.limit_usd} USD): ${(tight.probability_exceeded * 100).toFixed(1)}% probability of being exceeded`
      + `${tight.expected_crossing ? `, expected crossing ${tight.expected_crossing}` : ''}.`);
    expect(json.summary.notes[0]).toBe(`Forecast as of 2026-03-20 12:00 UTC, horizon month_end, method ${f.method}.`);
  });

  it('a past period reads the forecast as of its end; a horizon in days; CSV rows equal the JSON', async () => {
    const f = await api(`as_of=2026-03-10T00:00:00Z&horizon=5d&tz=Europe/Berlin`);
    const def = { kind: 'forecast', period: { from: '2026-03-01', to: '2026-03-10T01:00:00+01:00' }, timezone: 'Europe/Berlin', horizon: '5d' };
    const csv = parseCsv((await runReport(t, { ...def, format: 'csv' })).body.toString());
    expect(csv).toEqual(rowsOf(f).map((r) => ({ ...r, actual_usd: r.actual_usd ?? '' })));
    expect(csv.map((r) => r.date)).toEqual(['2026-03-10', '2026-03-11', '2026-03-12', '2026-03-13', '2026-03-14']);
    const json = JSON.parse((await runReport(t, { ...def, format: 'json' })).body.toString());
    expect(json.summary.totals.month_end_expected_usd).toBe(f.month_end.expected_usd);
  });

  it('prints the month end and the budget risk in the PDF', async () => {
    const f = await api(`scope=department&subject=eng&as_of=${new Date(NOW).toISOString()}`);
    const pdf = (await runReport(t, { kind: 'forecast', format: 'pdf', scope: 'department', subject: 'eng' })).body;
    const { execFileSync } = await import('node:child_process');
    const text = execFileSync('pdftotext', ['-layout', '-', '-'], { input: pdf, encoding: 'utf8' });
    expect(text).toContain('LLM spend forecast');
    expect(text).toContain(`Month-end expected (USD): ${f.month_end.expected_usd}`);
    expect(text).toContain('Budget Engineering (tight)');
    expect(text).toContain('2026-03-31');
  });

  it('refuses what the forecast cannot answer, naming the field', async () => {
    const bad = async (def: Record<string, unknown>): Promise<string> => {
      const res = await t.json('POST', '/api/v1/reports', { kind: 'forecast', ...def }, 'read');
      expect(res.status).toBe(400);
      return res.body.error.details[0].path;
    };
    expect(await bad({ scope: 'department' })).toBe('subject');
    expect(await bad({ filters: { department: 'eng' } })).toBe('filters.department');
    expect(MAX_FORECAST_DAYS).toBe(MAX_HORIZON_DAYS);
    expect(await bad({ horizon: `${MAX_HORIZON_DAYS + 1}d` })).toBe('horizon');
    expect((await t.call('POST', '/api/v1/reports', { token: 'read', body: { kind: 'forecast', horizon: `${MAX_HORIZON_DAYS}d` } })).status).toBe(200);
  });
});
