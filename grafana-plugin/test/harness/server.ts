/**
 * The harness's server: NOT Grafana. It serves the host page, the built
 * plugin under /public/plugins/<id>/ (as Grafana does), and plays two Grafana
 * APIs the plugin uses:
 * - the plugin proxy `/api/plugin-proxy/<id>/<route path>/…`, from the
 *   `routes` of the built plugin.json: first matching route, method check,
 *   `reqRole` against the signed-in user's org role (403 "plugin proxy route
 *   access denied"), URL and headers rendered from the stored jsonData and
 *   secureJsonData, Cookie and Authorization from the browser dropped;
 * - the app settings `GET/POST /api/plugins/<id>/settings` (POST replaces
 *   jsonData wholesale, merges secureJsonData, never returns secrets: only
 *   `secureJsonFields`; admins only).
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { DIST_DIR, HARNESS_OUT, PLUGIN_ID, REPO_DIR } from './paths.js';

export type OrgRole = 'Viewer' | 'Editor' | 'Admin';
const RANK: Record<OrgRole, number> = { Viewer: 0, Editor: 1, Admin: 2 };

interface Route {
  path: string;
  method?: string;
  reqRole?: OrgRole;
  url: string;
  headers?: Array<{ name: string; content: string }>;
}

export interface PluginSettings {
  enabled: boolean;
  pinned: boolean;
  jsonData: Record<string, unknown>;
  secureJsonData: Record<string, string>;
}

export interface HarnessServer {
  url: string;
  /** The signed-in user's org role (what `reqRole` is checked against). */
  role: OrgRole;
  settings: PluginSettings;
  /** Every request the proxy forwarded: route path, method, upstream URL. */
  forwarded: Array<{ route: string; method: string; url: string }>;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
  '.md': 'text/markdown',
  '.html': 'text/html',
};

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** `{{ .JsonData.x }}` / `{{ .SecureJsonData.x }}` as Grafana's route templates render them. */
export function renderTemplate(template: string, s: PluginSettings): string {
  return template.replace(/\{\{\s*\.(JsonData|SecureJsonData)\.(\w+)\s*\}\}/g, (_, kind: string, key: string) =>
    String((kind === 'JsonData' ? s.jsonData[key] : s.secureJsonData[key]) ?? '')
  );
}

/** The first route whose path matches (`prefix/*` forwards the rest), as Grafana's proxy picks it. */
export function matchRoute(
  routes: Route[],
  proxyPath: string,
  method: string
): { route: Route; rest: string } | undefined {
  for (const route of routes) {
    if (route.method && route.method !== '*' && route.method.toUpperCase() !== method) continue;
    if (route.path.endsWith('/*')) {
      const prefix = route.path.slice(0, -1);
      if (proxyPath.startsWith(prefix)) return { route, rest: proxyPath.slice(prefix.length) };
    } else if (proxyPath === route.path) {
      return { route, rest: '' };
    }
  }
  return undefined;
}

function titles(plugin: { includes?: Array<{ type: string; name: string; path?: string }> }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of plugin.includes ?? []) {
    if (i.type === 'page' && i.path?.startsWith('/a/')) out[i.path.replace('%PLUGIN_ID%', PLUGIN_ID)] = i.name;
  }
  return out;
}

function hostPage(
  server: HarnessServer,
  theme: 'light' | 'dark',
  plugin: { name: string; includes?: never[] }
): string {
  const s = server.settings;
  const meta = {
    id: PLUGIN_ID,
    name: plugin.name,
    enabled: s.enabled,
    pinned: s.pinned,
    jsonData: s.jsonData,
    secureJsonFields: Object.fromEntries(Object.keys(s.secureJsonData).map((k) => [k, true])),
    info: {},
    module: `public/plugins/${PLUGIN_ID}/module.js`,
    baseUrl: `public/plugins/${PLUGIN_ID}`,
  };
  const bootData = {
    settings: { buildInfo: { version: '13.1.1', env: 'production' }, featureToggles: {}, appSubUrl: '' },
    user: {
      login: 'harness',
      orgRole: server.role,
      isGrafanaAdmin: false,
      isSignedIn: true,
      theme,
      timezone: 'utc',
      orgId: 1,
    },
    navTree: [],
    assets: { dark: '', light: '' },
  };
  const cfg = { pluginId: PLUGIN_ID, theme, meta, titles: titles(plugin) };
  return `<!doctype html><html><head><meta charset="utf-8"><base href="/"><title>tokenmeter plugin harness (not Grafana)</title></head>
<body><div id="harness-error" style="display:none;background:#c00;color:#fff;padding:8px;font:14px monospace"></div><div id="root"></div>
<script>window.grafanaBootData=${JSON.stringify(bootData)};window.__HARNESS__=${JSON.stringify(cfg)};</script>
<script src="/harness/harness.js"></script>
<script src="/harness/system.js"></script>
<script src="/harness/amd.js"></script>
<script>window.startHarness().catch(function(e){window.harnessError=window.harnessError||String(e&&e.stack||e);var el=document.getElementById('harness-error');el.textContent=window.harnessError;el.style.display='block';});</script>
</body></html>`;
}

function serveFile(res: ServerResponse, file: string): void {
  if (!existsSync(file) || !statSync(file).isFile()) {
    json(res, 404, { message: 'not found' });
    return;
  }
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(res);
}

export async function startHarnessServer(
  options: { settings?: Partial<PluginSettings>; role?: OrgRole } = {}
): Promise<HarnessServer> {
  const plugin = JSON.parse(readFileSync(join(DIST_DIR, 'plugin.json'), 'utf8')) as {
    name: string;
    routes: Route[];
    includes?: never[];
  };
  const state: HarnessServer = {
    url: '',
    role: options.role ?? 'Admin',
    settings: { enabled: true, pinned: true, jsonData: {}, secureJsonData: {}, ...options.settings },
    forwarded: [],
    close: async () => {},
  };
  const proxyPrefix = `/api/plugin-proxy/${PLUGIN_ID}/`;
  const settingsPath = `/api/plugins/${PLUGIN_ID}/settings`;
  const systemjs = join(REPO_DIR, 'node_modules', 'systemjs', 'dist');

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://harness');
    const method = (req.method ?? 'GET').toUpperCase();
    if (url.pathname.startsWith(proxyPrefix)) {
      const m = matchRoute(plugin.routes, url.pathname.slice(proxyPrefix.length), method);
      if (!m) return json(res, 404, { message: 'plugin route match not found' });
      if (RANK[state.role] < RANK[m.route.reqRole ?? 'Viewer'])
        return json(res, 403, { message: 'plugin proxy route access denied' });
      const target = `${renderTemplate(m.route.url, state.settings).replace(/\/+$/, '')}/${m.rest}${url.search}`;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (typeof v === 'string' && !['cookie', 'host', 'authorization', 'connection', 'content-length'].includes(k))
          headers[k] = v;
      }
      for (const h of m.route.headers ?? []) headers[h.name.toLowerCase()] = renderTemplate(h.content, state.settings);
      const body = method === 'GET' || method === 'HEAD' ? undefined : await readBody(req);
      state.forwarded.push({ route: m.route.path, method, url: target });
      let upstream: Response;
      try {
        upstream = await fetch(target, {
          method,
          headers,
          body: body && body.length > 0 ? new Uint8Array(body) : undefined,
        });
      } catch {
        return json(res, 502, { message: 'Bad Gateway' });
      }
      const out: Record<string, string> = {};
      for (const k of ['content-type', 'content-disposition', 'etag']) {
        const v = upstream.headers.get(k);
        if (v) out[k] = v;
      }
      res.writeHead(upstream.status, out);
      res.end(Buffer.from(await upstream.arrayBuffer()));
      return;
    }
    if (url.pathname === settingsPath) {
      if (method === 'GET') {
        const s = state.settings;
        return json(res, 200, {
          id: PLUGIN_ID,
          type: 'app',
          enabled: s.enabled,
          pinned: s.pinned,
          jsonData: s.jsonData,
          secureJsonFields: Object.fromEntries(Object.keys(s.secureJsonData).map((k) => [k, true])),
        });
      }
      if (method === 'POST') {
        if (state.role !== 'Admin') return json(res, 403, { message: 'Permission denied' });
        const b = JSON.parse((await readBody(req)).toString('utf8') || '{}') as Partial<PluginSettings>;
        state.settings = {
          enabled: b.enabled ?? false,
          pinned: b.pinned ?? false,
          jsonData: b.jsonData ?? {},
          secureJsonData: { ...state.settings.secureJsonData, ...(b.secureJsonData ?? {}) },
        };
        return json(res, 200, { message: 'Plugin settings updated' });
      }
    }
    if (url.pathname.startsWith(`/public/plugins/${PLUGIN_ID}/`)) {
      const rel = normalize(url.pathname.slice(`/public/plugins/${PLUGIN_ID}/`.length));
      if (rel.startsWith('..')) return json(res, 400, { message: 'bad path' });
      return serveFile(res, join(DIST_DIR, rel));
    }
    if (url.pathname.startsWith('/public/build/img/icons/')) {
      // Grafana serves @grafana/ui's icons from its build folder.
      const rel = normalize(url.pathname.slice('/public/build/img/icons/'.length));
      if (rel.startsWith('..')) return json(res, 400, { message: 'bad path' });
      return serveFile(res, join(REPO_DIR, 'node_modules', '@grafana', 'ui', 'dist', 'public', 'img', 'icons', rel));
    }
    if (url.pathname === '/harness/harness.js') return serveFile(res, join(HARNESS_OUT, 'harness.js'));
    if (url.pathname === '/harness/system.js') return serveFile(res, join(systemjs, 'system.js'));
    if (url.pathname === '/harness/amd.js') return serveFile(res, join(systemjs, 'extras', 'amd.js'));
    if (url.pathname.startsWith(`/a/${PLUGIN_ID}`) || url.pathname === `/plugins/${PLUGIN_ID}`) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(hostPage(state, url.searchParams.get('theme') === 'light' ? 'light' : 'dark', plugin));
      return;
    }
    json(res, 404, { message: 'not found' });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) json(res, 500, { message: String(e) });
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return state;
}
