/** OpenAPI 3.1 document generated from the routes' zod schemas (`z.toJSONSchema`): one source of truth. */
import { z } from 'zod';
import type { RouteSpec } from './api/route.js';

function schemaOf(s: z.ZodType, io: 'input' | 'output'): object {
  try {
    const { $schema: _s, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>;
    return rest;
  } catch {
    return {};
  }
}

const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        details: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
      },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
};

const errorRef = (description: string): object => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

const SUCCESS_TEXT: Record<number, string> = { 200: 'OK', 201: 'Created', 204: 'No content', 304: 'Not modified (If-None-Match matched the ETag)' };

function defaultStatuses(spec: RouteSpec): readonly number[] {
  if (spec.statuses) return spec.statuses;
  if (spec.method === 'post') return [201];
  if (spec.method === 'delete') return [204];
  return [200];
}

/** The routes served outside `/api/v1` (no auth): documented so the document lists every path the service answers. */
const SERVICE_PATHS: Record<string, Record<string, object>> = {
  '/healthz': { get: { summary: 'Liveness: the process answers', tags: ['service'], operationId: 'getHealthz', security: [], responses: { '200': { description: 'Alive' } } } },
  '/readyz': {
    get: {
      summary: 'Readiness: the store answers and the service is not draining', tags: ['service'], operationId: 'getReadyz', security: [],
      responses: { '200': { description: 'Ready' }, '503': { description: 'Not ready (draining, or the store does not answer)' } },
    },
  },
  '/metrics': {
    get: {
      summary: 'Prometheus exposition (prom-client): quota gauges from the exact ledger totals, blocks, ingest counters, HTTP latency, health',
      tags: ['service'], operationId: 'getMetrics', security: [],
      responses: { '200': { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } } },
    },
  },
  '/api/v1/openapi.json': { get: { summary: 'This document', tags: ['meta'], operationId: 'getOpenapi', security: [], responses: { '200': { description: 'OpenAPI 3.1' } } } },
};

export function buildOpenApi(specs: readonly RouteSpec[], version: string): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const spec of specs) {
    const path = `/api/v1${spec.path.replace(/:([A-Za-z_]+)/g, '{$1}')}`;
    const params: object[] = [...spec.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    if (spec.query) {
      const q = schemaOf(spec.query, 'input') as { properties?: Record<string, object>; required?: string[] };
      for (const [name, schema] of Object.entries(q.properties ?? {})) {
        params.push({ name, in: 'query', required: q.required?.includes(name) ?? false, schema });
      }
    }
    const responses: Record<string, object> = {};
    for (const status of defaultStatuses(spec)) {
      responses[String(status)] = {
        description: SUCCESS_TEXT[status] ?? 'OK',
        ...(status === 204 || status === 304 ? {} : { content: { [spec.responseContentType ?? 'application/json']: { schema: spec.response ? schemaOf(spec.response, 'output') : {} } } }),
      };
    }
    responses['400'] = errorRef('Invalid input; details name each field');
    responses['401'] = errorRef('Missing or unknown bearer token');
    responses['403'] = errorRef('The token\'s role may not do this');
    if (spec.path.includes(':')) responses['404'] = errorRef('No such resource');
    if (spec.method !== 'get' && spec.method !== 'delete') {
      responses['413'] = errorRef('Body larger than TOKENMETER_BODY_LIMIT_BYTES (or, for usage, more records than TOKENMETER_MAX_BATCH_RECORDS)');
      responses['415'] = errorRef('Body is not application/json');
    }
    const op: Record<string, unknown> = {
      summary: spec.summary,
      tags: [spec.tag],
      operationId: `${spec.method}${spec.path.replace(/[:/{}-]+(\w)/g, (_m, c: string) => c.toUpperCase())}`,
      security: [{ bearer: [] }],
      'x-roles': ['admin', ...spec.roles],
      parameters: params,
      responses,
    };
    if (spec.body) op.requestBody = { required: true, content: { 'application/json': { schema: schemaOf(spec.body, 'input') } } };
    (paths[path] ??= {})[spec.method] = op;
  }
  Object.assign(paths, SERVICE_PATHS);
  return {
    openapi: '3.1.0',
    info: { title: 'tokenmeter control plane', version, description: 'Quotas, budgets, prices, providers, directory, the exact usage ledger, the Alertmanager receiver and the enforcement feed.' },
    servers: [{ url: '/' }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } }, schemas: { Error: errorSchema } },
    paths,
  };
}
