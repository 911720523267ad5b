import { test, expect, CONTROL_PLANE } from './fixtures';
import { testIds } from '../src/components/testIds';

test('the provisioned settings show tokens as configured, save keeps them, and the connection test passes', async ({ appConfigPage, page }) => {
  await expect(page.getByTestId(testIds.appConfig.url)).toHaveValue(CONTROL_PLANE.url);
  await expect(page.getByTestId(testIds.appConfig.adminToken)).toHaveValue('configured');
  await expect(page.getByTestId(testIds.appConfig.readToken)).toHaveValue('configured');

  const saved = appConfigPage.waitForSettingsResponse();
  await page.getByTestId(testIds.appConfig.submit).click();
  await expect(saved).toBeOK();

  await page.getByTestId(testIds.appConfig.test).click();
  await expect(page.getByTestId(testIds.appConfig.testResult)).toContainText('read token accepted');
  await expect(page.getByTestId(testIds.appConfig.testResult)).toContainText('admin token accepted');
});
