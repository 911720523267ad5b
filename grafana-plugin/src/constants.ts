import pluginJson from './plugin.json';

export const PLUGIN_ID = pluginJson.id;
export const PLUGIN_BASE_URL = `/a/${pluginJson.id}`;

/** Page paths under the app; `plugin.json` `includes` mirror them (checked by a test). */
export enum ROUTES {
  Overview = 'overview',
  Allocation = 'allocation',
  Forecast = 'forecast',
  Recommendations = 'recommendations',
  Quotas = 'quotas',
  Pricing = 'pricing',
  Providers = 'providers',
  Reports = 'reports',
}

/** Plugin proxy route prefixes (`plugin.json` `routes`): reads with the read token, writes with the admin token. */
export const PROXY_READ = `api/plugin-proxy/${pluginJson.id}/cp`;
export const PROXY_ADMIN = `api/plugin-proxy/${pluginJson.id}/cp-admin`;
