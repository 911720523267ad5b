/**
 * The analytics pages in a real browser against a real control plane whose
 * ledger holds nine weeks of usage posted through `POST /api/v1/usage` (see
 * harness/seed.ts). The control plane's and the browser's clocks are both
 * fixed at `NOW`, so "today" and "this month" are the same on both sides.
 * Every figure checked on a page is the one the API answers for the same
 * question, formatted by the plugin's own money formatting (exact strings).
 * Screenshots: /tmp/plugin-shots/<page>.png (PLUGIN_SHOTS overrides).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { defaultConfig, startServer, type RunningServer } from '@tokenmeter/quota-webhook';
import { count as formatCount, percent as formatPercent, usd as formatUsd } from './harness/expected.js';
import { launchChromium, screenshot } from './harness/browser.js';
import { PLUGIN_ID } from './harness/paths.js';
import { NOW, seedLedger } from './harness/seed.js';
import { startHarnessServer, type HarnessServer } from './harness/server.js';

const TOKENS = { admin: 'pages-admin-token', read: 'pages-read-token', ingest: 'pages-ingest-token' };
const SHOTS = process.env.PLUGIN_SHOTS ?? '/tmp/plugin-shots';
const tid = (id: string) => `[data-testid="data-testid ${id}"]`;

let dir: string;
let cp: RunningServer;
let harness: HarnessServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${cp.url}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${method === 'GET' ? TOKENS.read : TOKENS.admin}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) {
    throw new Error(`${method} ${path}: ${res.status} ${text}`);
  }
  return JSON.parse(text) as T;
}

async function open(path: string, container: string): Promise<string> {
  await page.goto(`${harness.url}/a/${PLUGIN_ID}/${path}?theme=dark`);
  await page.waitForFunction(
    () =>
      (window as { harnessError?: string }).harnessError || document.querySelector('[data-testid="harness-page-title"]')
  );
  expect(await page.evaluate(() => (window as { harnessError?: string }).harnessError)).toBeUndefined();
  await page.waitForSelector(tid(container));
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="data-testid tm-loading"]').length === 0);
  const text = (await page.textContent('#root')) ?? '';
  expect(text).not.toMatch(/NaN|undefined|Infinity/);
  expect(text).not.toContain('The control plane answered in a shape this page does not understand');
  expect(await page.locator('[data-testid="data-testid Alert error"]').count(), `${path}: no error banner`).toBe(0);
  return text;
}

const shot = (name: string) => screenshot(page, join(SHOTS, `${name}.png`));
const textOf = async (selector: string) => (await page.textContent(selector)) ?? '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tokenmeter-plugin-pages-'));
  cp = await startServer({
    config: defaultConfig({ host: '127.0.0.1', port: 0, dbUrl: join(dir, 'ledger.db'), tokens: TOKENS }),
    clock: () => NOW,
    onError: () => {},
  });
  expect(await seedLedger(cp.url, TOKENS.ingest)).toBeGreaterThan(1000);
  await api('POST', '/quotas', {
    id: 'research-monthly',
    scope: 'department',
    subject: 'research',
    metric: 'cost',
    period: 'month',
    limit: 40,
  });
  await api('POST', '/budgets', {
    id: 'budget-support',
    name: 'Support',
    scope: 'department',
    subject: 'support',
    amount: 5,
  });
  harness = await startHarnessServer({
    settings: {
      jsonData: { controlPlaneUrl: cp.url, timezone: 'UTC' },
      secureJsonData: { readToken: TOKENS.read, adminToken: TOKENS.admin },
    },
  });
  ({ browser, page } = await launchChromium(pageErrors));
  await page.clock.setFixedTime(NOW);
});

afterAll(async () => {
  await browser?.close();
  await harness?.close();
  await cp?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Summary {
  today_usd: string;
  hourly_rate_usd: string;
  last_hour_usd: string;
  month_to_date_usd: string;
  projected_month_end: { expected_usd: string; lower_80_usd: string; upper_80_usd: string };
}
interface Top {
  rows: Array<{ key: string; cost_usd: string; share: number; change: number | null }>;
}
interface Anomalies {
  anomalies: Array<{ id: string; observed_usd: string; expected_usd: string; impact_usd: string }>;
}

describe('the analytics pages show the control plane answers for a seeded ledger', () => {
  test('overview: spend figures, top consumers, anomalies and utilisation equal the API', async () => {
    await open('overview', 'tm-overview');
    const s = await api<Summary>('GET', '/analytics/summary?tz=UTC');
    expect(s.month_to_date_usd).not.toBe('0');
    expect(await textOf(tid('tm-overview-today'))).toContain(formatUsd(s.today_usd));
    expect(await textOf(tid('tm-overview-hourly'))).toContain(formatUsd(s.hourly_rate_usd));
    expect(await textOf(tid('tm-overview-hourly'))).toContain(`last hour ${formatUsd(s.last_hour_usd)}`);
    expect(await textOf(tid('tm-overview-month-to-date'))).toContain(formatUsd(s.month_to_date_usd));
    const projected = await textOf(tid('tm-overview-projected'));
    expect(projected).toContain(formatUsd(s.projected_month_end.expected_usd));
    expect(projected).toContain(
      `${formatUsd(s.projected_month_end.lower_80_usd)} – ${formatUsd(s.projected_month_end.upper_80_usd)}`
    );

    const top = await api<Top>('GET', '/analytics/top?group_by=user&metric=cost&limit=10&tz=UTC');
    expect(top.rows.length).toBe(4);
    const topRows = await page.locator(`${tid('tm-overview-top')} tbody tr`).allTextContents();
    expect(topRows).toEqual(
      top.rows.map(
        (r) =>
          `${r.key}${formatUsd(r.cost_usd)}${formatPercent(r.share)}${r.change === null ? 'new' : `${r.change >= 0 ? '+' : ''}${formatPercent(r.change)}`}`
      )
    );

    const from = new Date(NOW - 24 * 3600_000).toISOString();
    const to = new Date(NOW).toISOString();
    const an = await api<Anomalies>('GET', `/analytics/anomalies?metric=cost&from=${from}&to=${to}&tz=UTC`);
    expect(an.anomalies.length).toBe(1);
    const anomalyText = await textOf(tid('tm-overview-anomalies'));
    for (const a of an.anomalies) {
      expect(anomalyText).toContain(`${formatUsd(a.observed_usd)} / ${formatUsd(a.expected_usd)}`);
      expect(anomalyText).toContain(formatUsd(a.impact_usd));
    }
    expect(anomalyText).toContain('user=ada (100 %)');

    const q = await api<{ windows: Array<{ usage_usd: string; utilization: number }> }>(
      'GET',
      '/quotas/research-monthly/status'
    );
    const util = await textOf(tid('tm-overview-utilization'));
    expect(util).toContain(formatUsd(q.windows[0]!.usage_usd));
    expect(util).toContain(formatPercent(q.windows[0]!.utilization));
    await shot('overview');
  });

  test('cost allocation: the reconciliation and every row of the chargeback tree equal the API', async () => {
    await open('allocation', 'tm-allocation');
    const a = await api<{
      rows: Array<{
        path: Array<string | null>;
        direct_usd: string;
        shared_usd: string;
        total_usd: string;
        requests: number;
        tokens: number;
      }>;
      reconciliation: {
        ledger_total_usd: string;
        allocated_total_usd: string;
        difference_usd: string;
        reconciled: boolean;
      };
    }>(
      'GET',
      '/analytics/allocation?from=2026-11-01&to=2026-12-01&shared=proportional&tz=UTC&levels=org,department,feature,investigation'
    );
    expect(a.reconciliation.reconciled).toBe(true);
    expect(await textOf(tid('tm-allocation-reconciliation'))).toContain(
      `Ledger total ${formatUsd(a.reconciliation.ledger_total_usd, 6)} · allocated ${formatUsd(a.reconciliation.allocated_total_usd, 6)}`
    );
    // Expand every level, then each row of the table is one row of the answer, in tree order.
    const expand = page.getByRole('button', { name: /^Expand / });
    for (let clicks = 0; (await expand.count()) > 0; clicks++) {
      expect(clicks, 'every node expands once').toBeLessThan(a.rows.length);
      await expand.first().click();
    }
    const rows = await page.locator(`${tid('tm-allocation-table')} tbody tr`).allTextContents();
    expect(rows.length).toBe(a.rows.length);
    for (const r of a.rows) {
      const figures = `${formatUsd(r.direct_usd)}${formatUsd(r.shared_usd)}${formatUsd(r.total_usd)}${formatCount(r.requests)}${formatCount(r.tokens)}`;
      expect(
        rows.some((t) => t.endsWith(figures)),
        `row ${JSON.stringify(r.path)} ${figures}`
      ).toBe(true);
    }
    await shot('allocation');
  });

  test('forecast: month end, both intervals and each budget risk from its own subject equal the API', async () => {
    await open('forecast', 'tm-forecast');
    type Interval = Record<'expected_usd' | 'lower_80_usd' | 'upper_80_usd' | 'lower_95_usd' | 'upper_95_usd', string>;
    const f = await api<{ month_end: Interval }>('GET', '/analytics/forecast?metric=cost&horizon=month_end&tz=UTC');
    const m = f.month_end;
    expect(await textOf(tid('tm-forecast-month-end'))).toContain(formatUsd(m.expected_usd));
    expect(await textOf(tid('tm-forecast-band-80'))).toContain(
      `${formatUsd(m.lower_80_usd)} – ${formatUsd(m.upper_80_usd)}`
    );
    expect(await textOf(tid('tm-forecast-band-95'))).toContain(
      `${formatUsd(m.lower_95_usd)} – ${formatUsd(m.upper_95_usd)}`
    );
    expect(await page.locator(`${tid('tm-forecast-chart')} path`).count()).toBeGreaterThan(0);

    const risks = await page.locator(`${tid('tm-forecast-budgets')} tbody tr`).allTextContents();
    expect(risks.length).toBe(2);
    for (const [subject, id] of [
      ['research', 'research-monthly'],
      ['support', 'budget-support'],
    ] as const) {
      const one = await api<{
        budgets: Array<{ id: string; usage_usd: string; limit_usd: string; probability_exceeded: number }>;
      }>('GET', `/analytics/forecast?metric=cost&horizon=month_end&scope=department&subject=${subject}&tz=UTC`);
      const b = one.budgets.find((x) => x.id === id)!;
      expect(b).toBeDefined();
      const row = risks.find((t) => t.includes(`department ${subject}`))!;
      expect(row).toContain(
        `${formatUsd(b.usage_usd)}${formatUsd(b.limit_usd)}${formatPercent(b.probability_exceeded, 0)}`
      );
    }
    await shot('forecast');
  });

  test('recommendations: every recommendation with its exact savings, difficulty and confidence', async () => {
    await open('recommendations', 'tm-recommendations');
    const r = await api<{
      recommendations: Array<{
        title: string;
        estimated_monthly_savings_usd: string;
        difficulty: string;
        confidence: number;
      }>;
    }>('GET', '/analytics/recommendations');
    expect(r.recommendations.length).toBeGreaterThan(0);
    const rows = await page.locator(`${tid('tm-recommendations-table')} tbody tr`).allTextContents();
    for (const rec of r.recommendations) {
      const row = rows.find((t) => t.includes(rec.title));
      expect(row, rec.title).toBeDefined();
      expect(row).toContain(formatUsd(rec.estimated_monthly_savings_usd));
      expect(row).toContain(rec.difficulty);
      expect(row).toContain(formatPercent(rec.confidence, 0));
    }
    await shot('recommendations');
  });

  test('quotas: "suggest from baseline" fills the limit the API suggests for the subject', async () => {
    await open('quotas', 'tm-quotas');
    const row = await textOf('[data-testid="quota-row-research-monthly"]');
    const st = await api<{ windows: Array<{ utilization: number }> }>('GET', '/quotas/research-monthly/status');
    expect(row).toContain(formatPercent(st.windows[0]!.utilization));
    await shot('quotas');

    await page.click(tid('tm-quotas-create'));
    const form = page.locator(tid('tm-quota-form'));
    await form.getByLabel('Subject', { exact: true }).fill('marketing');
    await page.click(tid('tm-quota-suggest'));
    const s = await api<{
      suggestions: Array<{ suggested_limit: number; suggested_limit_usd: string; baseline: { p50_usd: string } }>;
    }>('GET', '/analytics/quota-suggestions?scope=department&metric=cost&period=month&subject=marketing');
    const sug = s.suggestions[0]!;
    await page.getByText(`Suggested ${formatUsd(sug.suggested_limit_usd)} from the last`).waitFor();
    expect(await form.getByLabel('Limit', { exact: true }).inputValue()).toBe(String(sug.suggested_limit));
    expect(await textOf(tid('tm-quota-form'))).toContain(`median ${formatUsd(sug.baseline.p50_usd)}`);
    await shot('quota-suggestion');
  });

  test('pricing, providers, reports and configuration render against the seeded control plane', async () => {
    await open('pricing', 'tm-pricing');
    await shot('pricing');
    await open('providers', 'tm-providers');
    await shot('providers');
    await open('reports', 'tm-reports');
    await shot('reports');
    await page.goto(`${harness.url}/plugins/${PLUGIN_ID}?theme=dark`);
    await page.waitForSelector(tid('ac-url'));
    await shot('configuration');
    expect(pageErrors).toEqual([]);
  });
});
