/**
 * Bundles the project's Grafana dashboards (`dashboards/grafana/dashboards/*.json`,
 * owned by the dashboards part) into `dist/dashboards/` and lists each one in
 * the built plugin.json `includes`, so the list can never drift from the files.
 */
import fs from 'fs';
import path from 'path';
import webpack, { type Compiler } from 'webpack';

export interface DashboardInclude {
  type: 'dashboard';
  name: string;
  path: string;
}

/** One include per dashboard file, named by its title, in file order. */
export function dashboardIncludes(files: Array<{ file: string; json: { title?: unknown } }>): DashboardInclude[] {
  return [...files]
    .sort((a, b) => a.file.localeCompare(b.file))
    .map(({ file, json }) => {
      if (typeof json.title !== 'string' || json.title === '') {
        throw new Error(`dashboards: ${file} has no "title"`);
      }
      return { type: 'dashboard', name: json.title, path: `dashboards/${file}` };
    });
}

export class DashboardsPlugin {
  constructor(private readonly dir: string) {}

  apply(compiler: Compiler): void {
    compiler.hooks.thisCompilation.tap('DashboardsPlugin', (compilation) => {
      compilation.contextDependencies.add(this.dir);
      compilation.hooks.processAssets.tap(
        // After CopyWebpackPlugin has added plugin.json (ADDITIONAL), before hashing and emit.
        { name: 'DashboardsPlugin', stage: webpack.Compilation.PROCESS_ASSETS_STAGE_ADDITIONS },
        () => {
          const files = fs
            .readdirSync(this.dir)
            .filter((f) => f.endsWith('.json'))
            .map((file) => {
              const text = fs.readFileSync(path.join(this.dir, file), 'utf8');
              compilation.emitAsset(`dashboards/${file}`, new webpack.sources.RawSource(text));
              return { file, json: JSON.parse(text) as { title?: unknown } };
            });
          const asset = compilation.getAsset('plugin.json');
          if (!asset) {
            throw new Error('dashboards: plugin.json is not among the assets');
          }
          const plugin = JSON.parse(asset.source.source().toString()) as { includes?: Array<{ type: string }> };
          plugin.includes = [
            ...(plugin.includes ?? []).filter((i) => i.type !== 'dashboard'),
            ...dashboardIncludes(files),
          ];
          compilation.updateAsset('plugin.json', new webpack.sources.RawSource(`${JSON.stringify(plugin, null, 2)}\n`));
        }
      );
    });
  }
}
