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
    const op: Record<string, unknown> = {
      summary: spec.summary,
      tags: [spec.tag],
      operationId: `${spec.method}${spec.path.replace(/[:/{}-]+(\w)/g, (_m, c: string) => c.toUpperCase())}`,
      security: [{ bearer: [] }],
      'x-roles': ['admin', ...spec.roles],
      parameters: params,
      responses: {
        [spec.method === 'post' && !spec.path.includes('alerts') && !spec.path.includes('usage') && !spec.path.includes('reprice') && !spec.path.includes('rebuild') ? '201' : spec.method === 'delete' ? '204' : '200']: {
          description: 'OK',
          ...(spec.method === 'delete' ? {} : { content: { [spec.responseContentType ?? 'application/json']: { schema: spec.response ? schemaOf(spec.response, 'output') : {} } } }),
        },
        '400': { description: 'Invalid input; details name each field', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
        '401': { description: 'Missing or unknown bearer token', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
        '403': { description: 'The token\'s role may not do this', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    };
    if (spec.body) op.requestBody = { required: true, content: { 'application/json': { schema: schemaOf(spec.body, 'input') } } };
    (paths[path] ??= {})[spec.method] = op;
  }
  paths['/api/v1/openapi.json'] = { get: { summary: 'This document', tags: ['meta'], security: [], responses: { '200': { description: 'OpenAPI 3.1' } } } };
  return {
    openapi: '3.1.0',
    info: { title: 'tokenmeter control plane', version, description: 'Quotas, budgets, prices, providers, directory, the exact usage ledger, the Alertmanager receiver and the enforcement feed.' },
    servers: [{ url: '/' }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } }, schemas: { Error: errorSchema } },
    paths,
  };
}
