/**
 * The PDF report, read back with poppler (`pdftotext`, `pdfinfo`,
 * `pdfimages`): its title, period, time zone, generation time, totals and
 * table rows equal the JSON report of the same definition; the table is
 * paginated with the header on every page; the charts are vectors with text
 * labels (no raster image). Page 1 is rendered with `pdftoppm` to
 * `quota-webhook/.tmp/reports/` as an artefact to look at.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/index.js';
import { startTestServer, type TestServer } from '../helpers.js';
import { NOW, ingest, runReport, seedRecords } from './support.js';

const ARTEFACTS = fileURLToPath(new URL('../../.tmp/reports/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'tokenmeter-pdf-'));

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ now: NOW, config: { reports: { ...defaultConfig().reports, maxPdfRows: 150 } } });
  await ingest(t, seedRecords({ from: Date.parse('2026-03-01T00:00:00Z'), to: Date.parse('2026-03-20T00:00:00Z'), count: 1200, features: ['chat', 'search', 'summarise', '=formula'] }));
});

afterAll(async () => {
  await t?.stop();
});

function pdfText(pdf: Buffer, name: string): { text: string; pages: string[]; pageCount: number; file: string } {
  const file = join(work, `${name}.pdf`);
  writeFileSync(file, pdf);
  const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
  return { text, pages: text.split('\f').filter((p) => p.trim() !== ''), pageCount: Number(/Pages:\s+(\d+)/.exec(info)![1]), file };
}

interface JsonReport {
  report: { title: string; period: { from: string; to: string; timezone: string } };
  columns: Array<{ id: string; label: string }>;
  rows: Array<Record<string, string | number | null>>;
  summary: { rows: number; totals: Record<string, string | number> };
}

describe('PDF report', () => {
  const def = { kind: 'usage', period: 'month_to_date', group_by: ['user', 'feature', 'model'], title: 'Monthly LLM spend - ACME' };

  it('has the title, period, time zone, generation time and totals of the JSON, as text', async () => {
    const json = JSON.parse((await runReport(t, { ...def, format: 'json' })).body.toString()) as JsonReport;
    const { body, headers } = await runReport(t, { ...def, format: 'pdf' });
    expect(headers.get('content-type')).toBe('application/pdf');
    expect(body.subarray(0, 5).toString()).toBe('%PDF-');
    const { text, pages } = pdfText(body, 'usage');
    expect(pages[0]!.trimStart().startsWith(json.report.title)).toBe(true);
    expect(text).toContain('Period: 2026-03-01 00:00 to 2026-03-20 12:00 UTC (month_to_date)');
    expect(text).toContain('Time zone: UTC');
    expect(text).toContain('Generated: 2026-03-20 12:00 UTC (2026-03-20T12:00:00Z)');
    const total = (label: string): string => new RegExp(`${label.replace(/[()]/g, '\\$&')}: (\\S+)`).exec(text)?.[1] ?? 'missing';
    expect(total('Total cost (USD)')).toBe(json.summary.totals.cost_usd);
    expect(total('Requests')).toBe(String(json.summary.totals.requests));
    expect(total('Unpriced requests')).toBe(String(json.summary.totals.unpriced_requests));
    expect(total('Input tokens')).toBe(String(json.summary.totals.input_tokens));
    expect(total('Total tokens')).toBe(String(json.summary.totals.total_tokens));
    expect(total('Rows')).toBe(String(json.summary.rows));
  });

  it('has the JSON rows in its table, paginated with the header repeated on every page', async () => {
    const json = JSON.parse((await runReport(t, { ...def, format: 'json' })).body.toString()) as JsonReport;
    const { text, pages, pageCount } = pdfText((await runReport(t, { ...def, format: 'pdf' })).body, 'usage-table');
    expect(json.rows.length).toBeGreaterThan(100);
    expect(pageCount).toBeGreaterThan(3);
    expect(pages.length).toBe(pageCount);
    // Every page (the first after its totals and charts) has the table header once, before its rows.
    const isHeader = (l: string): boolean => /^\s*User\s+Feature\s+Model\s+Requests\s+Input tok\.\s+Output tok\./.test(l);
    for (const page of pages) {
      const lines = page.split('\n');
      expect(lines.filter(isHeader).length).toBe(1);
      const header = lines.findIndex(isHeader);
      expect(lines.findIndex((l) => /^\s*user-\d\s+\S+\s+\S+\s+\d+\s+\d+/.test(l))).toBeGreaterThan(header);
    }
    const lines = text.split('\n').map((l) => l.trim().split(/\s{2,}/));
    const shown = ['user', 'feature', 'model', 'requests', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'total_tokens', 'cost_usd', 'unpriced_requests'];
    const expected = json.rows.map((r) => shown.map((c) => String(r[c])));
    const tableRows = lines.filter((cells) => cells.length === shown.length && /^user-\d$/.test(cells[0]!));
    expect(tableRows).toEqual(expected);
  });

  it('draws its charts as vectors with text labels (no raster image), and renders page 1 to a PNG', async () => {
    const { text, file } = pdfText((await runReport(t, { ...def, format: 'pdf', granularity: 'day' })).body, 'charts');
    expect(text).toContain('Spend per day (USD)');
    expect(text).toContain('Spend by user (USD)');
    expect(text).toMatch(/user-\d\s+\d+\.\d+/);
    expect(text).toContain('2026-03-01');
    const images = execFileSync('pdfimages', ['-list', file], { encoding: 'utf8' }).trim().split('\n');
    expect(images.length).toBe(2); // the column header and its rule: no image rows
    mkdirSync(ARTEFACTS, { recursive: true });
    execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', file, join(ARTEFACTS, 'usage-report-page1')]);
    const png = execFileSync('file', [join(ARTEFACTS, 'usage-report-page1.png')], { encoding: 'utf8' });
    expect(png).toContain('PNG image data');
  });

  it('shows at most TOKENMETER_REPORT_MAX_PDF_ROWS rows and says so; the totals still cover every record', async () => {
    const json = JSON.parse((await runReport(t, { kind: 'audit', format: 'json', period: 'month_to_date' })).body.toString()) as JsonReport;
    const { text } = pdfText((await runReport(t, { kind: 'audit', format: 'pdf', period: 'month_to_date' })).body, 'audit');
    expect(json.rows.length).toBe(1200);
    expect(text).toContain('Showing the first 150 of 1200 rows; the CSV and JSON formats carry every row.');
    expect(/Total cost \(USD\): (\S+)/.exec(text)![1]).toBe(json.summary.totals.cost_usd);
    expect(text.split('\n').filter((l) => /^\s*2026-03-\d\d \d\d:\d\d:\d\d\s+acme|globex/.test(l)).length).toBeGreaterThan(0);
  });

  it('prints an empty period as such', async () => {
    const { text } = pdfText((await runReport(t, { kind: 'usage', format: 'pdf', period: { from: '2020-01-01', to: '2020-02-01' } })).body, 'empty');
    expect(text).toContain('No spend in this period');
    expect(text).toContain('No rows in this period.');
    expect(text).toContain('Total cost (USD): 0');
  });
});
