/**
 * The harness host page: NOT Grafana. It loads the built `dist/module.js`
 * with SystemJS and its AMD extra (the loader Grafana uses), hands it the
 * shared modules Grafana would (the npm builds of the same packages), and
 * renders the app's root page or config page inside Grafana's theme. The
 * server beside it (`test/harness/server.ts`) plays Grafana's plugin proxy
 * and settings API. What it cannot show: Grafana's chrome (nav, menus),
 * Grafana's core panel plugins (Scenes panels), data source services.
 */
import React from 'react';
import * as ReactNamespace from 'react';
import * as ReactDom from 'react-dom';
import * as ReactDomClient from 'react-dom/client';
import * as JsxRuntime from 'react/jsx-runtime';
import * as ReactRouter from 'react-router';
import { BrowserRouter, Route, Routes, useLocation } from 'react-router-dom';
import * as Rxjs from 'rxjs';
import * as RxjsOperators from 'rxjs/operators';
import * as EmotionCss from '@emotion/css';
import * as EmotionReact from '@emotion/react';
import * as Lodash from 'lodash';
import * as I18next from 'i18next';
import * as GrafanaData from '@grafana/data';
import { createTheme, type AppPlugin, type AppPluginMeta, PluginType } from '@grafana/data';
import * as GrafanaUi from '@grafana/ui';
import { GlobalStyles, ThemeContext } from '@grafana/ui';
import * as GrafanaRuntime from '@grafana/runtime';
import * as GrafanaRuntimeUnstable from '@grafana/runtime/unstable';
import { setBackendSrv, setDataSourceSrv, type PluginPageProps } from '@grafana/runtime';
// `setPluginPage` is Grafana-internal (not in the package's exports map): the build aliases this name to the file the public entry uses.
import { setPluginPage } from 'grafana-runtime-plugin-page';
import { harnessBackendSrv } from './backendSrv';
import { harnessDataSourceSrv } from './dataSourceSrv';

interface HarnessConfig {
  pluginId: string;
  theme: 'light' | 'dark';
  /** The plugin's settings as Grafana's settings API returns them (secrets only as secureJsonFields). */
  meta: AppPluginMeta;
  /** Page titles by path, from plugin.json `includes`. */
  titles: Record<string, string>;
}

declare global {
  interface Window {
    System: {
      set(id: string, mod: object): void;
      addImportMap(map: { imports: Record<string, string> }): void;
      import(id: string): Promise<Record<string, unknown>>;
    };
    __HARNESS__: HarnessConfig;
    startHarness: () => Promise<void>;
    harnessError?: string;
  }
}

/** Grafana's shared modules (a superset of what this plugin's `define([...])` lists). */
const SHARED: Record<string, object> = {
  react: ReactNamespace,
  'react-dom': ReactDom,
  'react-dom/client': ReactDomClient,
  'react/jsx-runtime': JsxRuntime,
  'react-router': ReactRouter,
  rxjs: Rxjs,
  'rxjs/operators': RxjsOperators,
  '@emotion/css': EmotionCss,
  '@emotion/react': EmotionReact,
  lodash: Lodash,
  i18next: I18next,
  '@grafana/data': GrafanaData,
  '@grafana/ui': GrafanaUi,
  '@grafana/runtime': GrafanaRuntime,
  '@grafana/runtime/unstable': GrafanaRuntimeUnstable,
};

/** Throws, naming them, when the bundle asks for a module the harness does not share (as Grafana would fail). */
export function missingShared(defineDeps: string[]): string[] {
  return defineDeps.filter((d) => d !== 'module' && d !== 'exports' && d !== 'require' && !(d in SHARED));
}

function PageTitle({ title, children }: { title: string; children: React.ReactNode }) {
  const theme = GrafanaUi.useTheme2();
  return (
    <div style={{ padding: theme.spacing(2, 3) }}>
      <h1 data-testid="harness-page-title">{title}</h1>
      {children}
    </div>
  );
}

function fail(message: string): never {
  window.harnessError = message;
  const el = document.getElementById('harness-error')!;
  el.textContent = message;
  el.style.display = 'block';
  throw new Error(message);
}

window.startHarness = async () => {
  const cfg = window.__HARNESS__;
  const base = `/public/plugins/${cfg.pluginId}`;
  const source = await (await fetch(`${base}/module.js`)).text();
  const m = /define\((\[[^\]]*\])/.exec(source);
  if (!m) {
    fail('module.js is not an AMD module (no define([...]))');
  }
  const missing = missingShared(JSON.parse(m[1]) as string[]);
  if (missing.length > 0) {
    fail(`module.js needs shared modules the harness does not provide: ${missing.join(', ')}`);
  }
  const imports: Record<string, string> = {};
  for (const [name, mod] of Object.entries(SHARED)) {
    const m2 = mod as { default?: unknown };
    window.System.set(`app:${name}`, { ...mod, default: m2.default ?? mod, __useDefault: true });
    imports[name] = `app:${name}`;
  }
  window.System.addImportMap({ imports });
  setBackendSrv(harnessBackendSrv());
  setDataSourceSrv(harnessDataSourceSrv());

  const TitledPage = ({ children }: PluginPageProps) => {
    const { pathname } = useLocation();
    const title = Object.entries(cfg.titles).find(([p]) => pathname.startsWith(p))?.[1] ?? cfg.meta.name;
    return <PageTitle title={title}>{children}</PageTitle>;
  };
  setPluginPage(TitledPage);

  let plugin: AppPlugin;
  try {
    plugin = (await window.System.import(`${base}/module.js`)).plugin as AppPlugin;
  } catch (e) {
    fail(`loading module.js failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  const Root = plugin.root!;
  const ConfigBody = plugin.configPages![0]!.body;
  const theme = createTheme({ colors: { mode: cfg.theme } });
  document.body.style.background = theme.colors.background.canvas;
  const meta = { ...cfg.meta, type: PluginType.app };
  // Grafana gives the loaded plugin its settings before rendering the config page.
  (plugin as { meta?: AppPluginMeta }).meta = meta;
  ReactDomClient.createRoot(document.getElementById('root')!).render(
    <ThemeContext.Provider value={theme}>
      <GlobalStyles />
      <BrowserRouter>
        <Routes>
          <Route
            path={`/a/${cfg.pluginId}/*`}
            element={<Root meta={meta} basename={`/a/${cfg.pluginId}`} query={{}} path="" onNavChanged={() => {}} />}
          />
          <Route
            path={`/plugins/${cfg.pluginId}`}
            element={
              <PageTitle title={`${cfg.meta.name}: Configuration`}>
                <ConfigBody plugin={plugin as AppPlugin} query={{}} />
              </PageTitle>
            }
          />
        </Routes>
      </BrowserRouter>
    </ThemeContext.Provider>
  );
};
