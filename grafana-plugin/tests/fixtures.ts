import { AppConfigPage, AppPage, test as base } from '@grafana/plugin-e2e';
import type { APIRequestContext } from '@playwright/test';
import pluginJson from '../src/plugin.json';

/** The control plane of the stack under test (the root docker-compose.yml: demo tokens). */
export const CONTROL_PLANE = {
  url: process.env.TOKENMETER_CONTROL_PLANE_URL ?? 'http://127.0.0.1:9470',
  adminToken: process.env.TOKENMETER_ADMIN_TOKEN ?? 'demo-admin',
  readToken: process.env.TOKENMETER_READ_TOKEN ?? 'demo-read',
  ingestToken: process.env.TOKENMETER_INGEST_TOKEN ?? 'demo-ingest',
};

type AppTestFixture = {
  appConfigPage: AppConfigPage;
  gotoPage: (path?: string) => Promise<AppPage>;
  /** The control plane's REST API, straight (to read back what a page did). */
  controlPlane: (method: string, path: string, data?: unknown, token?: string) => ReturnType<APIRequestContext['fetch']>;
};

export const test = base.extend<AppTestFixture>({
  appConfigPage: async ({ gotoAppConfigPage }, use) => {
    const configPage = await gotoAppConfigPage({
      pluginId: pluginJson.id,
    });
    await use(configPage);
  },
  gotoPage: async ({ gotoAppPage }, use) => {
    await use((path) =>
      gotoAppPage({
        path,
        pluginId: pluginJson.id,
      })
    );
  },
  controlPlane: async ({ request }, use) => {
    await use((method, path, data, token = CONTROL_PLANE.adminToken) =>
      request.fetch(`${CONTROL_PLANE.url}/api/v1${path}`, { method, data, headers: { authorization: `Bearer ${token}` } })
    );
  },
});

export { expect } from '@grafana/plugin-e2e';
