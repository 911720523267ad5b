import { test, expect } from './fixtures';
import { ROUTES } from '../src/constants';

const CONTAINER: Record<ROUTES, string> = {
  [ROUTES.Overview]: 'data-testid tm-overview',
  [ROUTES.Allocation]: 'data-testid tm-allocation',
  [ROUTES.Forecast]: 'data-testid tm-forecast',
  [ROUTES.Recommendations]: 'data-testid tm-recommendations',
  [ROUTES.Quotas]: 'data-testid tm-quotas',
  [ROUTES.Pricing]: 'data-testid tm-pricing',
  [ROUTES.Providers]: 'data-testid tm-providers',
  [ROUTES.Reports]: 'data-testid tm-reports',
};

for (const route of Object.values(ROUTES)) {
  test(`the ${route} page renders inside Grafana and finishes loading`, async ({ gotoPage, page }) => {
    await gotoPage(`/${route}`);
    await expect(page.getByTestId(CONTAINER[route])).toBeVisible();
    await expect(page.getByTestId('data-testid tm-loading')).toHaveCount(0);
  });
}

test('the Overview draws its Prometheus panels from the provisioned data source', async ({ gotoPage, page }) => {
  await gotoPage(`/${ROUTES.Overview}`);
  await expect(page.getByText('Spend rate by provider (USD/h)')).toBeVisible();
  await expect(page.getByText('No Prometheus data source chosen')).toHaveCount(0);
});
