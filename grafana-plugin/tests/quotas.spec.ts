import { test, expect, CONTROL_PLANE } from './fixtures';
import { ROUTES } from '../src/constants';
import { testIds } from '../src/components/testIds';

const id = `e2e-${Date.now()}`;

test.describe.serial('quotas and providers against the real control plane', () => {
  test('a quota created on the page is what the API then holds', async ({ gotoPage, page, controlPlane }) => {
    await gotoPage(`/${ROUTES.Quotas}`);
    await page.getByTestId(testIds.quotas.create).click();
    const form = page.getByTestId(testIds.quotas.form);
    await form.getByLabel('Id', { exact: true }).fill(id);
    await form.getByLabel('Subject', { exact: true }).fill(id);
    await form.getByLabel('Limit', { exact: true }).fill('-1');
    await page.getByTestId(testIds.quotas.save).click();
    await expect(page.getByText('Must be greater than 0')).toBeVisible();
    await form.getByLabel('Limit', { exact: true }).fill('2');
    await page.getByTestId(testIds.quotas.save).click();
    await expect(page.getByTestId(`quota-row-${id}`)).toBeVisible();
    const res = await controlPlane('GET', `/quotas/${id}`);
    expect(res.status()).toBe(200);
    expect(await res.json()).toMatchObject({ id, scope: 'department', subject: id, metric: 'cost', period: 'month', limit: 2 });
  });

  test('utilisation follows usage ingested into the ledger', async ({ gotoPage, page, controlPlane }) => {
    const records = [1, 2].map((i) => ({
      id: `${id}-${i}`, time: new Date().toISOString(), department: id, provider: 'openai', operation: 'chat', request_model: 'gpt-4o',
      tokens: { input: 100000, output: 20000, cache_read: 0, cache_write: 0, reasoning: 0 }, cost_usd: null, outcome: 'ok', latency_ms: 10, source: 'sdk',
    }));
    expect((await controlPlane('POST', '/usage', { records }, CONTROL_PLANE.ingestToken)).status()).toBe(200);
    const status = (await (await controlPlane('GET', `/quotas/${id}/status`)).json()) as { windows: Array<{ utilization: number }> };
    const shown = `${(status.windows[0]!.utilization * 100).toFixed(1)} %`;
    await gotoPage(`/${ROUTES.Quotas}`);
    await expect(page.getByTestId(`quota-row-${id}`)).toContainText(shown);
    await controlPlane('DELETE', `/quotas/${id}`);
  });

  test('a provider priority changed on the page is what the API then serves', async ({ gotoPage, page, controlPlane }) => {
    await controlPlane('PUT', `/providers/${id}/openai`, { enabled: true, priority: 0 });
    await gotoPage(`/${ROUTES.Providers}`);
    await page.getByLabel(`Priority ${id}/openai`).fill('7');
    await page.getByLabel(`Save ${id}/openai`).click();
    await expect
      .poll(async () => {
        const body = (await (await controlPlane('GET', '/providers')).json()) as { providers: Array<{ org: string; provider: string; priority: number }> };
        return body.providers.find((p) => p.org === id && p.provider === 'openai')?.priority;
      })
      .toBe(7);
    await controlPlane('DELETE', `/providers/${id}/openai`);
  });
});
