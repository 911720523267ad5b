/** `npm run build` (run once by globalSetup) makes a complete dist/, and plugin.json is valid and in step with the code. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, test } from 'vitest';
import { DASHBOARDS_DIR, DIST_DIR, PLUGIN_DIR } from './harness/paths.js';

type PluginJson = {
  id: string;
  info: { version: string; updated: string };
  includes: Array<{ type: string; name: string; path?: string; role?: string }>;
  routes: Array<Record<string, unknown>>;
};

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;
const schema = readJson<object>(join(PLUGIN_DIR, 'test', 'plugin-json.schema.json'));
const dist = (): PluginJson => readJson<PluginJson>(join(DIST_DIR, 'plugin.json'));

function validate(doc: unknown): string[] {
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  const check = ajv.compile(schema);
  return check(doc)
    ? []
    : (check.errors ?? []).map((e) => {
        const extra = 'additionalProperty' in e.params ? `: ${String(e.params.additionalProperty)}` : '';
        return `${e.instancePath || '/'} ${e.message}${extra}`;
      });
}

describe('plugin.json schema', () => {
  test('the source and the built plugin.json are valid', () => {
    expect(validate(readJson(join(PLUGIN_DIR, 'src', 'plugin.json')))).toEqual([]);
    expect(validate(dist())).toEqual([]);
    expect(dist()).toHaveProperty('buildMode', 'production');
  });

  test('the schema refuses what Grafana refuses (unknown keys, empty keywords, a bad id, an unknown route key)', () => {
    const good = dist();
    expect(validate({ ...good, extra: true })).toEqual(['/ must NOT have additional properties: extra']);
    expect(validate({ ...good, info: { ...good.info, keywords: [] } })).toEqual([
      '/info/keywords must NOT have fewer than 1 items',
    ]);
    expect(validate({ ...good, id: 'tokenmeter_costs' })[0]).toMatch(/^\/id must match pattern/);
    expect(validate({ ...good, routes: [{ ...good.routes[0], urlParam: [] }] })).toEqual([
      '/routes/0 must NOT have additional properties: urlParam',
    ]);
    expect(validate({ ...good, routes: [{ ...good.routes[0], reqRole: 'Owner' }] })[0]).toMatch(
      /^\/routes\/0\/reqRole must be equal to one of/
    );
  });
});

describe('dist', () => {
  test('holds plugin.json, module.js, README, LICENSE, CHANGELOG and the logo', () => {
    for (const f of ['plugin.json', 'module.js', 'README.md', 'LICENSE', 'CHANGELOG.md', 'img/logo.svg']) {
      expect(existsSync(join(DIST_DIR, f)), f).toBe(true);
    }
    expect(readFileSync(join(DIST_DIR, 'module.js'), 'utf8')).toMatch(/define\(\[/);
    expect(readFileSync(join(DIST_DIR, 'README.md'), 'utf8')).toMatch(/^# tokenmeter-costs-app/);
  });

  test('version and date are filled in', () => {
    const p = dist();
    expect(p.info.version).toBe(readJson<{ version: string }>(join(PLUGIN_DIR, 'package.json')).version);
    expect(p.info.updated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(JSON.stringify(p)).not.toContain('%PLUGIN_ID%');
  });

  test('every dashboard of dashboards/grafana/dashboards is bundled, byte for byte, and listed in includes under its title', () => {
    const files = readdirSync(DASHBOARDS_DIR)
      .filter((f) => f.endsWith('.json'))
      .sort();
    expect(files.length).toBeGreaterThan(0);
    const listed = dist().includes.filter((i) => i.type === 'dashboard');
    expect(listed.map((i) => i.path)).toEqual(files.map((f) => `dashboards/${f}`));
    for (const f of files) {
      const src = readFileSync(join(DASHBOARDS_DIR, f), 'utf8');
      expect(readFileSync(join(DIST_DIR, 'dashboards', f), 'utf8')).toBe(src);
      expect(listed.find((i) => i.path === `dashboards/${f}`)?.name).toBe((JSON.parse(src) as { title: string }).title);
    }
  });

  test('the page includes are the routes of the app, the configuration page is for admins', () => {
    const constants = readFileSync(join(PLUGIN_DIR, 'src', 'constants.ts'), 'utf8');
    const enumBody = /export enum ROUTES \{([^}]*)\}/.exec(constants)![1]!;
    const routes = [...enumBody.matchAll(/= '([^']+)'/g)].map((m) => m[1]);
    const pages = dist().includes.filter((i) => i.type === 'page');
    expect(pages.filter((p) => p.path!.startsWith('/a/')).map((p) => p.path)).toEqual(
      routes.map((r) => `/a/tokenmeter-costs-app/${r}`)
    );
    expect(pages.find((p) => p.path === '/plugins/tokenmeter-costs-app')?.role).toBe('Admin');
  });

  test('routes: reads with the read token for viewers, writes with the admin token for admins', () => {
    expect(dist().routes).toEqual([
      expect.objectContaining({
        path: 'cp/*',
        reqRole: 'Viewer',
        url: '{{ .JsonData.controlPlaneUrl }}/api',
        headers: [{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.readToken }}' }],
      }),
      expect.objectContaining({
        path: 'cp-admin/*',
        reqRole: 'Admin',
        url: '{{ .JsonData.controlPlaneUrl }}/api',
        headers: [{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.adminToken }}' }],
      }),
    ]);
  });
});
