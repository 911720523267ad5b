// The scaffold's webpack config (.config/, left as generated), extended the
// documented way: the project's dashboards are bundled and listed in plugin.json.
import path from 'path';
import type { Configuration } from 'webpack';
import { merge } from 'webpack-merge';
import grafanaConfig, { type Env } from './.config/webpack/webpack.config.ts';
import { DashboardsPlugin } from './webpack/dashboards.ts';

const config = async (env: Env): Promise<Configuration> =>
  merge(await grafanaConfig(env), {
    plugins: [new DashboardsPlugin(path.resolve(process.cwd(), '..', 'dashboards', 'grafana', 'dashboards'))],
  });

export default config;
