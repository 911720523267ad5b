/** The OpenAPI document served at /api/v1/openapi.json covers every route the express app actually serves. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s.stop();
});

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  matchers?: Array<(path: string) => unknown>;
}

/** Every (METHOD, path) the express app routes, with `:param` → `{param}`. */
function routedPaths(): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[], prefix: string): void => {
    for (const layer of stack) {
      if (layer.route) {
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && method !== '_all') out.push(`${method.toUpperCase()} ${prefix}${layer.route.path.replace(/:([A-Za-z_]+)/g, '{$1}')}`);
        }
      } else if (layer.handle?.stack) {
        // The API router is mounted at /api/v1 (its matcher says so).
        expect(layer.matchers?.[0]?.('/api/v1/quotas')).toBeTruthy();
        expect(layer.matchers?.[0]?.('/quotas')).toBeFalsy();
        walk(layer.handle.stack, '/api/v1');
      }
    }
  };
  walk((s.handle.app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return out;
}

interface Operation { operationId?: string; responses: Record<string, unknown>; security?: unknown[]; requestBody?: unknown; parameters?: Array<{ name: string; in: string }> }

describe('OpenAPI document', () => {
  it('is served without a token and lists every routed method and path', async () => {
    const res = await s.call('GET', '/api/v1/openapi.json', { token: null });
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, Operation>> };
    expect(doc.openapi).toBe('3.1.0');
    const routed = routedPaths();
    expect(routed.length).toBeGreaterThan(35);
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(routed.filter((r) => !documented.includes(r))).toEqual([]);
    // …and documents nothing that is not served.
    expect(documented.filter((d) => !routed.includes(d))).toEqual([]);
    for (const p of ['GET /healthz', 'GET /readyz', 'GET /metrics', 'GET /api/v1/openapi.json', 'POST /api/v1/alerts/alertmanager', 'GET /api/v1/enforcement/stream']) {
      expect(routed).toContain(p);
    }
  });

  it('operations have unique ids, path parameters, bodies, auth and the right success statuses', async () => {
    const doc = (await (await s.call('GET', '/api/v1/openapi.json', { token: null })).json()) as { paths: Record<string, Record<string, Operation>>; components: { securitySchemes: object } };
    const ops = Object.entries(doc.paths).flatMap(([path, m]) => Object.entries(m).map(([method, op]) => ({ path, method, op })));
    const ids = ops.map((o) => o.op.operationId);
    expect(ids.every((id) => typeof id === 'string')).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path, op } of ops) {
      for (const m of path.matchAll(/\{(\w+)\}/g)) expect(op.parameters?.some((p) => p.in === 'path' && p.name === m[1])).toBe(true);
    }
    const op = (method: string, path: string): Operation => doc.paths[path]![method]!;
    expect(Object.keys(op('post', '/api/v1/quotas').responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '413', '415']));
    expect(Object.keys(op('put', '/api/v1/quotas/{id}').responses)).toEqual(expect.arrayContaining(['200', '201', '404']));
    expect(Object.keys(op('post', '/api/v1/usage').responses)).toContain('200');
    expect(Object.keys(op('post', '/api/v1/usage').responses)).not.toContain('201');
    expect(Object.keys(op('get', '/api/v1/enforcement').responses)).toEqual(expect.arrayContaining(['200', '304']));
    expect(Object.keys(op('delete', '/api/v1/blocks/{id}').responses)).toContain('204');
    expect(op('post', '/api/v1/prices').requestBody).toBeDefined();
    expect(op('post', '/api/v1/alerts/alertmanager').requestBody).toBeDefined();
    expect(op('get', '/api/v1/usage').parameters?.map((p) => p.name)).toEqual(expect.arrayContaining(['from', 'to', 'investigation', 'session', 'group_by', 'cursor']));
    expect(op('get', '/metrics').security).toEqual([]);
    expect(op('get', '/api/v1/quotas').security).toEqual([{ bearer: [] }]);
    expect(doc.components.securitySchemes).toEqual({ bearer: { type: 'http', scheme: 'bearer' } });
  });

  it('every analytics read declares the shape of its answer', async () => {
    const doc = (await (await s.call('GET', '/api/v1/openapi.json', { token: null })).json()) as { paths: Record<string, Record<string, Operation>> };
    type Schema = { properties?: Record<string, unknown>; required?: string[] };
    const answer = (path: string): Schema => {
      const ok = doc.paths[`/api/v1/analytics/${path}`]!.get!.responses['200'] as { content: { 'application/json': { schema: Schema } } };
      return ok.content['application/json'].schema;
    };
    const expected: Record<string, string[]> = {
      summary: ['month_to_date_usd', 'limits'], forecast: ['month_end', 'budgets'], anomalies: ['anomalies'],
      allocation: ['rows', 'shared_pools', 'reconciliation'], top: ['rows', 'total', 'others', 'previous_period'], efficiency: ['rows', 'org_median'],
      roi: ['features', 'features_without_value', 'totals'], recommendations: ['recommendations', 'dismissal_rule'],
    };
    for (const [path, fields] of Object.entries(expected)) {
      expect(Object.keys(answer(path).properties ?? {}), path).toEqual(expect.arrayContaining(fields));
      expect(answer(path).required, path).toEqual(expect.arrayContaining(fields));
    }
  });
});
