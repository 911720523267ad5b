/** `/prices`: the effective table (bundled + admin + org overrides), admin entries, audited re-pricing. */
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { PriceCatalog, PriceCatalogError, formatUsd, parseInstant, validatePriceEntry } from '@tokenmeter/instrumentation/pricing';
import type { PriceEntry } from '@tokenmeter/instrumentation/pricing';
import type { ControlPlane } from '../control-plane.js';
import { ApiError, notFound, type ErrorDetail } from '../errors.js';
import { instant } from './params.js';
import type { Api } from './route.js';

const atQuery = z.strictObject({ at: instant.optional() });
const repriceSchema = z.strictObject({
  from: z.string().transform((s, ctx) => {
    const v = parseInstant(s);
    if (v === undefined) ctx.addIssue({ code: 'custom', message: 'must be an RFC 3339 date or date-time' });
    return v ?? 0;
  }),
  to: z.string().transform((s, ctx) => {
    const v = parseInstant(s);
    if (v === undefined) ctx.addIssue({ code: 'custom', message: 'must be an RFC 3339 date or date-time' });
    return v ?? 0;
  }),
  reason: z.string().min(1, 'must say why (it is audited)').max(1000),
}).refine((r) => r.to > r.from, { message: 'must be after from', path: ['to'] });

const rates = z.object({
  input: z.string(), output: z.string(), cache_read: z.string().optional(), cache_write: z.string().optional(),
  cache_write_1h: z.string().optional(), reasoning: z.string().optional(),
}).describe('USD per million tokens as decimal strings (at most 6 fractional digits)');

/** The admin price entry as documented in OpenAPI; validated by the shared engine's `validatePriceEntry` (field-named messages). */
export const priceEntryDocSchema = z.strictObject({
  id: z.string().optional(), provider: z.string(), model_pattern: z.string(), match: z.enum(['exact', 'regex']).optional(),
  effective_from: z.string().describe('RFC 3339 date (midnight UTC) or date-time'), effective_to: z.string().optional(),
  org: z.string().optional().describe('Override for this organisation only'), source: z.literal('admin').optional(), currency: z.literal('USD').optional(),
  prices: rates,
  tiers: z.array(z.object({
    name: z.string(),
    when: z.object({ min_input_tokens: z.number().int().optional(), service_tier: z.enum(['batch', 'flex', 'priority']).optional() }),
    prices: rates,
  })).optional(),
  source_url: z.string().optional(), as_of: z.string().optional(), notes: z.string().optional(),
});

/** An admin entry: the wire `PriceEntry` where `id`, `match`, `currency` may be omitted and `source` is always admin. */
function toAdminEntry(body: unknown, id?: string): PriceEntry {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError(400, 'invalid_request', 'invalid request body: must be a JSON object (a price entry)', [{ path: '', message: 'must be an object' }]);
  }
  const raw = body as Record<string, unknown>;
  if (raw.source !== undefined && raw.source !== 'admin') {
    throw new ApiError(400, 'invalid_request', 'source: must be "admin" (bundled prices ship with the package)', [{ path: 'source', message: 'must be "admin"' }]);
  }
  if (id !== undefined && raw.id !== undefined && raw.id !== id) {
    throw new ApiError(400, 'invalid_request', `id: "${String(raw.id)}" does not match the path id "${id}"`, [{ path: 'id', message: 'must match the path' }]);
  }
  const entry = { match: 'exact', currency: 'USD', ...raw, id: id ?? raw.id ?? `price-${randomUUID()}`, source: 'admin' };
  const problems = validatePriceEntry(entry);
  if (problems.length > 0) throw problemsError(problems);
  return entry as unknown as PriceEntry;
}

function problemsError(problems: string[]): ApiError {
  const details: ErrorDetail[] = problems.map((p) => {
    const m = /^(?:entry (?:"[^"]*"|#\d+): )?([^:]+): (.*)$/.exec(p);
    return m ? { path: m[1]!, message: m[2]! } : { path: '', message: p };
  });
  return new ApiError(400, 'invalid_request', `invalid price entry: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`, details);
}

function effectiveAt(entries: readonly PriceEntry[], at: number | undefined): PriceEntry[] {
  if (at === undefined) return [...entries];
  return entries.filter((e) => {
    const from = parseInstant(e.effective_from) ?? 0;
    const to = e.effective_to !== undefined ? (parseInstant(e.effective_to) ?? Infinity) : Infinity;
    return from <= at && at < to;
  });
}

export function mountPrices(api: Api, cp: ControlPlane): void {
  api.add({
    method: 'get', path: '/prices', tag: 'prices', roles: ['read', 'ingest'], query: atQuery, statuses: [200, 304],
    summary: 'The price table (bundled + admin + org overrides); with `at`, only entries in effect then. ETag / If-None-Match.',
  }, ({ query, req, res }) => {
    const body = JSON.stringify({ prices: effectiveAt(cp.prices.catalog.entries(), query.at) });
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', 'no-cache');
    if (req.get('if-none-match') === etag) {
      res.status(304).end();
      return undefined;
    }
    res.type('application/json').send(body);
    return undefined;
  });

  const save = async (entry: PriceEntry, actor: string, action: 'create' | 'update'): Promise<void> => {
    try {
      await cp.prices.put(entry, actor, action);
    } catch (error) {
      if (error instanceof PriceCatalogError) throw problemsError(error.problems.slice(0, 20));
      throw error;
    }
  };

  api.add({ method: 'post', path: '/prices', tag: 'prices', roles: [], body: priceEntryDocSchema, manualBody: true, summary: 'Add an admin price entry (global, or for one org with `org`)' },
    async ({ req, res, actor }) => {
      const entry = toAdminEntry(req.body);
      if (cp.prices.entries.has(entry.id) || PriceCatalog.bundled().entries().some((e) => e.id === entry.id)) {
        throw new ApiError(409, 'conflict', `id: price "${entry.id}" already exists`, [{ path: 'id', message: 'already exists' }]);
      }
      await save(entry, actor, 'create');
      res.status(201);
      return entry;
    });

  api.add({ method: 'put', path: '/prices/:id', tag: 'prices', roles: [], body: priceEntryDocSchema, manualBody: true, statuses: [200, 201], summary: 'Create or replace an admin price entry' },
    async ({ req, res, params, actor }) => {
      if (PriceCatalog.bundled().entries().some((e) => e.id === params.id)) {
        throw new ApiError(409, 'conflict', `id: "${params.id}" is a bundled price; add an admin entry with its own id instead`, [{ path: 'id', message: 'is bundled' }]);
      }
      const entry = toAdminEntry(req.body, params.id);
      const existed = cp.prices.entries.has(entry.id);
      await save(entry, actor, existed ? 'update' : 'create');
      if (!existed) res.status(201);
      return entry;
    });

  api.add({ method: 'delete', path: '/prices/:id', tag: 'prices', roles: [], summary: 'Delete an admin price entry' }, async ({ params, actor }) => {
    if (!(await cp.prices.delete(params.id!, actor))) throw notFound('admin price', params.id!);
    return undefined;
  });

  api.add({
    method: 'post', path: '/prices/reprice', tag: 'prices', roles: [], body: repriceSchema, statuses: [200],
    summary: 'Re-price the ledger records of [from, to) with the current table (audited); totals are rebuilt',
  }, async ({ body, actor }) => {
    const r = await cp.ledger.reprice(cp.prices.catalog, body.from, body.to);
    const result = { records: r.records, changed: r.changed, cost_delta_usd: formatUsd(r.delta_pico) };
    await cp.audit.record({
      kind: 'price', action: 'reprice', actor, subject: `${new Date(body.from).toISOString()}..${new Date(body.to).toISOString()}`,
      reason: body.reason, data: result,
    });
    return result;
  });
}
