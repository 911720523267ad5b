/**
 * The built plugin in a real browser against a real control plane. The host
 * page is the harness (test/harness, not Grafana): it loads dist/module.js
 * with SystemJS as Grafana does and forwards the plugin-proxy routes to a
 * control plane started here (SQLite), adding the tokens as Grafana's proxy
 * would. Screenshots of every page in both themes go to .tmp/screenshots/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { waitFor } from '@tokenmeter/testkit';
import { defaultConfig, startServer, type RunningServer } from '@tokenmeter/quota-webhook';
import { launchChromium, screenshot } from './harness/browser.js';
import { PLUGIN_ID, SCREENSHOT_DIR } from './harness/paths.js';
import { startHarnessServer, type HarnessServer } from './harness/server.js';

const TOKENS = { admin: 'plugin-admin-token', read: 'plugin-read-token', ingest: 'plugin-ingest-token' };
const tid = (id: string) => `[data-testid="data-testid ${id}"]`;

let dir: string;
let cp: RunningServer;
let harness: HarnessServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

/** The control plane's REST API, straight (not through the harness). */
async function api<T = unknown>(
  method: string,
  path: string,
  body?: unknown,
  token: keyof typeof TOKENS = 'admin'
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${cp.url}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKENS[token]}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Opens a path of the host page and waits until the plugin rendered its page (or the harness reported a failure). */
async function open(path: string, theme: 'light' | 'dark' = 'dark'): Promise<void> {
  await page.goto(`${harness.url}${path}?theme=${theme}`);
  await page.waitForFunction(
    () =>
      (window as { harnessError?: string }).harnessError || document.querySelector('[data-testid="harness-page-title"]')
  );
  expect(await page.evaluate(() => (window as { harnessError?: string }).harnessError)).toBeUndefined();
}

const noLoading = () =>
  page.waitForFunction(() => document.querySelectorAll('[data-testid="data-testid tm-loading"]').length === 0);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tokenmeter-plugin-'));
  cp = await startServer({
    config: defaultConfig({ host: '127.0.0.1', port: 0, dbUrl: join(dir, 'ledger.db'), tokens: TOKENS }),
    onError: () => {},
  });
  harness = await startHarnessServer();
  ({ browser, page } = await launchChromium(pageErrors));
});

afterAll(async () => {
  await browser?.close();
  await harness?.close();
  await cp?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the built plugin in Chromium against a real control plane', () => {
  test('configuration: saves the URL and both tokens, shows them as configured, and tests the connection', async () => {
    await open(`/plugins/${PLUGIN_ID}`);
    await page.fill(tid('ac-url'), cp.url);
    await page.fill(tid('ac-read-token'), TOKENS.read);
    await page.fill(tid('ac-admin-token'), TOKENS.admin);
    await Promise.all([page.waitForEvent('load'), page.click(tid('ac-submit'))]);
    expect(harness.settings.jsonData).toMatchObject({ controlPlaneUrl: cp.url });
    expect(harness.settings.secureJsonData).toEqual({ readToken: TOKENS.read, adminToken: TOKENS.admin });
    await page.waitForSelector(tid('ac-url'));
    // After the reload the secrets are only "configured": their values never come back to the browser.
    expect(await page.inputValue(tid('ac-admin-token'))).toBe('configured');
    expect(await page.content()).not.toContain(TOKENS.admin);
    await page.click(tid('ac-test'));
    await page.waitForSelector(tid('ac-test-result'));
    expect(await page.textContent(tid('ac-test-result'))).toContain('read token accepted (0 quotas)');
    expect(await page.textContent(tid('ac-test-result'))).toContain('admin token accepted');
  });

  test('quotas: refuses bad input before sending, creates a quota the API then holds, shows the API refusal of a duplicate', async () => {
    await open(`/a/${PLUGIN_ID}/quotas`);
    await page.click(tid('tm-quotas-create'));
    const form = page.locator(tid('tm-quota-form'));
    await form.getByLabel('Id', { exact: true }).fill('research-monthly');
    await form.getByLabel('Subject', { exact: true }).fill('research');
    await form.getByLabel('Limit', { exact: true }).fill('-5');
    const sentBefore = harness.forwarded.length;
    await page.click(tid('tm-quota-save'));
    await page.getByText('Must be greater than 0').waitFor();
    expect(harness.forwarded.length).toBe(sentBefore);

    await form.getByLabel('Limit', { exact: true }).fill('2');
    await form.getByLabel('Time zone', { exact: true }).fill('Europe/Berlin');
    await form.getByRole('radio', { name: 'hard', exact: true }).check();
    await page.click(tid('tm-quota-save'));
    await page.waitForSelector('[data-testid="quota-row-research-monthly"]');
    expect(harness.forwarded.filter((f) => f.method === 'POST').at(-1)).toMatchObject({
      route: 'cp-admin/*',
      method: 'POST',
      url: `${cp.url}/api/v1/quotas`,
    });

    const { status, body } = await api('GET', '/quotas/research-monthly');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      id: 'research-monthly',
      scope: 'department',
      subject: 'research',
      metric: 'cost',
      period: 'month',
      timezone: 'Europe/Berlin',
      limit: 2,
      enforcement: 'hard',
      thresholds: [0.8, 0.9, 1],
    });

    await page.click(tid('tm-quotas-create'));
    await form.getByLabel('Id', { exact: true }).fill('research-monthly');
    await form.getByLabel('Subject', { exact: true }).fill('research');
    await form.getByLabel('Limit', { exact: true }).fill('3');
    await page.click(tid('tm-quota-save'));
    await page.getByText('quota "research-monthly" already exists').waitFor();
  });

  test('quotas and overview: utilisation follows usage ingested into the ledger', async () => {
    await open(`/a/${PLUGIN_ID}/quotas`);
    const row = page.locator('[data-testid="quota-row-research-monthly"]');
    await expect.poll(() => row.textContent()).toContain('0.0 %');

    const now = new Date().toISOString();
    const records = [1, 2, 3].map((i) => ({
      id: `plugin-e2e-${i}`,
      time: now,
      department: 'research',
      user: 'ada',
      provider: 'openai',
      operation: 'chat',
      request_model: 'gpt-4o',
      tokens: { input: 100_000, output: 20_000, cache_read: 0, cache_write: 0, reasoning: 0 },
      cost_usd: null,
      outcome: 'ok',
      latency_ms: 50,
      source: 'sdk',
    }));
    const ingest = await api<{ accepted: number }>('POST', '/usage', { records }, 'ingest');
    expect(ingest.body.accepted).toBe(3);
    const status = await api<{ windows: Array<{ utilization: number; usage_usd: string }> }>(
      'GET',
      '/quotas/research-monthly/status',
      undefined,
      'read'
    );
    const u = status.body.windows[0]!.utilization;
    expect(u).toBeGreaterThan(0);
    const shown = `${(u * 100).toFixed(1)} %`;

    await open(`/a/${PLUGIN_ID}/quotas`);
    await expect.poll(() => row.textContent()).toContain(shown);
    await open(`/a/${PLUGIN_ID}/overview`);
    await expect.poll(() => page.locator(tid('tm-overview-utilization')).textContent()).toContain(shown);
  });

  test('providers: a priority changed on the page is what the API then serves', async () => {
    expect((await api('PUT', '/providers/*/openai', { enabled: true, priority: 0 })).status).toBe(200);
    await open(`/a/${PLUGIN_ID}/providers`);
    await page.getByLabel('Priority */openai').fill('5');
    await page.getByLabel('Save */openai').click();
    await waitFor(
      async () => {
        const { body } = await api<{ providers: Array<{ org: string; provider: string; priority: number }> }>(
          'GET',
          '/providers',
          undefined,
          'read'
        );
        return body.providers.find((p) => p.org === '*' && p.provider === 'openai')?.priority === 5;
      },
      { timeoutMillis: 10_000, what: 'priority 5 at the API' }
    );
    await open(`/a/${PLUGIN_ID}/providers`);
    expect(await page.getByLabel('Priority */openai').inputValue()).toBe('5');
  });

  test('a Viewer reads but gets no write controls, and the proxy refuses cp-admin for them', async () => {
    harness.role = 'Viewer';
    try {
      await open(`/a/${PLUGIN_ID}/quotas`);
      await page.waitForSelector('[data-testid="quota-row-research-monthly"]');
      expect(await page.locator(tid('tm-quotas-create')).count()).toBe(0);
      const refused = await page.evaluate(async (id) => {
        const res = await fetch(`/api/plugin-proxy/${id}/cp-admin/v1/quotas`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            id: 'viewer-quota',
            scope: 'user',
            subject: 'x',
            metric: 'cost',
            period: 'day',
            limit: 1,
          }),
        });
        return { status: res.status, body: (await res.json()) as { message: string } };
      }, PLUGIN_ID);
      expect(refused).toEqual({ status: 403, body: { message: 'plugin proxy route access denied' } });
      expect((await api('GET', '/quotas/viewer-quota')).status).toBe(404);
    } finally {
      harness.role = 'Admin';
    }
  });

  test('the harness fails loudly, naming it, when the bundle needs a module Grafana would have to share and the harness does not', async () => {
    const moduleUrl = `${harness.url}/public/plugins/${PLUGIN_ID}/module.js`;
    await page.route(moduleUrl, (route) =>
      route.fulfill({
        contentType: 'text/javascript',
        body: 'define(["react","@grafana/not-shared"],function(){return {};});',
      })
    );
    try {
      await page.goto(`${harness.url}/a/${PLUGIN_ID}/overview`);
      await page.waitForFunction(() => (window as { harnessError?: string }).harnessError);
      expect(await page.textContent('#harness-error')).toBe(
        'module.js needs shared modules the harness does not provide: @grafana/not-shared'
      );
    } finally {
      await page.unroute(moduleUrl);
    }
  });

  // Pages whose data comes from endpoints other engineers are building: each must show exactly what the API answers.
  const PAGES: Array<{ path: string; container: string; endpoints: string[] }> = [
    {
      path: `/a/${PLUGIN_ID}/overview`,
      container: 'tm-overview',
      endpoints: ['analytics/summary', 'analytics/top', 'analytics/anomalies'],
    },
    { path: `/a/${PLUGIN_ID}/allocation`, container: 'tm-allocation', endpoints: ['analytics/allocation'] },
    { path: `/a/${PLUGIN_ID}/forecast`, container: 'tm-forecast', endpoints: ['analytics/forecast'] },
    {
      path: `/a/${PLUGIN_ID}/recommendations`,
      container: 'tm-recommendations',
      endpoints: ['analytics/recommendations'],
    },
    { path: `/a/${PLUGIN_ID}/quotas`, container: 'tm-quotas', endpoints: [] },
    { path: `/a/${PLUGIN_ID}/pricing`, container: 'tm-pricing', endpoints: [] },
    { path: `/a/${PLUGIN_ID}/providers`, container: 'tm-providers', endpoints: [] },
    { path: `/a/${PLUGIN_ID}/reports`, container: 'tm-reports', endpoints: ['report-schedules'] },
    { path: `/plugins/${PLUGIN_ID}`, container: 'ac-url', endpoints: [] },
  ];

  /** The schedule form: every control lies inside the modal (side by side, its option groups were cut off). */
  async function scheduleFormFits(theme: 'light' | 'dark'): Promise<void> {
    await page.getByRole('button', { name: 'New schedule' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Format').waitFor();
    const clipped = await dialog.evaluate((modal) => {
      const box = modal.getBoundingClientRect();
      // Outside the modal, or squeezed so that its text is cut (an ellipsis).
      return [...modal.querySelectorAll('*')]
        .map((el) => ({ el, r: el.getBoundingClientRect() }))
        .filter(
          ({ el, r }) =>
            r.width > 0 &&
            (r.right > box.right + 0.5 ||
              r.left < box.left - 0.5 ||
              (getComputedStyle(el).textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth + 1))
        )
        .map(({ el }) => el.textContent?.trim() || el.getAttribute('aria-label') || el.tagName);
    });
    expect(clipped, 'controls outside the schedule modal').toEqual([]);
    await screenshot(page, join(SCREENSHOT_DIR, `reports-schedule-${theme}.png`));
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  }

  test.each(PAGES)(
    '$path renders in light and dark themes with the state its API gives (screenshots)',
    async ({ path, container, endpoints }) => {
      for (const theme of ['light', 'dark'] as const) {
        await open(path, theme);
        await page.waitForSelector(tid(container));
        await noLoading();
        const text = (await page.textContent('#root')) ?? '';
        expect(text, `${path} renders every answer it gets`).not.toContain(
          'The control plane answered in a shape this page does not understand'
        );
        for (const ep of endpoints) {
          const res = await fetch(`${cp.url}/api/v1/${ep}`, { headers: { authorization: `Bearer ${TOKENS.read}` } });
          const missing =
            res.status === 404 &&
            ((await res.json()) as { error: { message: string } }).error.message.startsWith('no route');
          if (missing) expect(text, `${path} shows that ${ep} is missing`).toContain(`no route GET /api/v1/${ep}`);
          else expect(text, `${path} does not claim ${ep} is missing`).not.toContain(`no route GET /api/v1/${ep}`);
        }
        const name = path.split('/').filter(Boolean).at(-1) === PLUGIN_ID ? 'configuration' : path.split('/').at(-1);
        await screenshot(page, join(SCREENSHOT_DIR, `${name}-${theme}.png`));
        if (name === 'reports') await scheduleFormFits(theme);
      }
      expect(pageErrors).toEqual([]);
    }
  );
});
