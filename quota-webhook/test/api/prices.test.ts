/**
 * Prices: the effective table (bundled + admin + org overrides), effective
 * dates, precedence at ingest, and audited re-pricing of a past period that
 * rebuilds the totals.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { record, startTestServer, type TestServer } from '../helpers.js';
import { expectTotalsEqualRebuilt } from '../support/ledger.js';

const NOW = Date.parse('2026-03-15T12:00:00Z');

let s: TestServer | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

interface PriceEntry { id: string; provider: string; model_pattern: string; source: string; org?: string; effective_from: string; effective_to?: string }

async function costs(t: TestServer, query: string): Promise<Record<string, string | null>> {
  const res = await t.json('GET', `/api/v1/usage?${query}`, undefined, 'read');
  return Object.fromEntries(res.body.records.map((r: { id: string; cost_usd: string | null }) => [r.id, r.cost_usd]));
}

// 1000 input + 500 output tokens: bundled gpt-4o (2.50 / 10 per million) = 0.0075 USD.
const gpt4o = { provider: 'openai', model_pattern: 'gpt-4o', prices: { input: '1', output: '2' } };

describe('prices', () => {
  it('GET /prices serves the bundled table; `at` keeps the entries in effect then; ETag / 304', async () => {
    const t = s = await startTestServer({ now: NOW });
    const res = await t.call('GET', '/api/v1/prices', { token: 'ingest' });
    const { prices } = (await res.json()) as { prices: PriceEntry[] };
    expect(prices.length).toBeGreaterThan(20);
    expect(prices.every((p) => p.source === 'bundled')).toBe(true);
    const at2024 = (await t.json('GET', '/api/v1/prices?at=2024-06-01', undefined, 'read')).body.prices as PriceEntry[];
    const gpt = at2024.filter((p) => p.model_pattern === 'gpt-4o' && p.provider === 'openai');
    expect(gpt.map((p) => p.id)).toEqual(['openai/gpt-4o@2024-05-13']);
    const etag = res.headers.get('etag')!;
    expect((await t.call('GET', '/api/v1/prices', { token: 'ingest', headers: { 'if-none-match': etag } })).status).toBe(304);
    await t.json('POST', '/api/v1/prices', { ...gpt4o, effective_from: '2026-03-01' });
    expect((await t.call('GET', '/api/v1/prices', { token: 'ingest', headers: { 'if-none-match': etag } })).status).toBe(200);
  });

  it('an admin price applies from its effective date; an org override beats it for that org; each record keeps the price of its own time', async () => {
    const t = s = await startTestServer({ now: NOW });
    const admin = await t.json('POST', '/api/v1/prices', { id: 'contract-2026', ...gpt4o, effective_from: '2026-03-01' });
    expect(admin.status).toBe(201);
    expect(admin.body).toMatchObject({ id: 'contract-2026', source: 'admin', match: 'exact', currency: 'USD' });
    const override = await t.json('POST', '/api/v1/prices', { id: 'acme-deal', ...gpt4o, org: 'acme', effective_from: '2026-01-01', prices: { input: '0.5', output: '0.5' } });
    expect(override.status).toBe(201);
    await t.json('POST', '/api/v1/usage', {
      records: [
        record({ id: 'feb', time: '2026-02-20T00:00:00Z' }), // before the admin price: bundled
        record({ id: 'mar', time: '2026-03-10T00:00:00Z' }), // admin: 1000 × 1e-6 + 500 × 2e-6
        record({ id: 'acme-feb', org: 'acme', time: '2026-02-20T00:00:00Z' }), // org override from January
        record({ id: 'acme-mar', org: 'acme', time: '2026-03-10T00:00:00Z' }),
        record({ id: 'globex-mar', org: 'globex', time: '2026-03-10T00:00:00Z' }),
      ],
    }, 'ingest');
    expect(await costs(t, 'limit=100')).toEqual({ 'feb': '0.0075', 'acme-feb': '0.00075', 'mar': '0.002', 'acme-mar': '0.00075', 'globex-mar': '0.002' });
    const priceIds = (await t.json('GET', '/api/v1/usage?limit=100', undefined, 'read')).body.records.map((r: { id: string; price_id: string }) => [r.id, r.price_id]);
    expect(Object.fromEntries(priceIds)).toMatchObject({ 'mar': 'contract-2026', 'acme-mar': 'acme-deal', 'feb': 'openai/gpt-4o' });
    const trail = (await t.json('GET', '/api/v1/audit?kind=price', undefined, 'read')).body.entries;
    expect(trail.map((e: { action: string; subject: string }) => [e.action, e.subject])).toEqual([['create', 'contract-2026'], ['create', 'acme-deal']]);
  });

  it('re-pricing a past period is explicit and audited: records change, totals are rebuilt, other periods are untouched', async () => {
    const t = s = await startTestServer({ now: NOW });
    await t.json('POST', '/api/v1/quotas', { id: 'feb', scope: 'user', subject: 'alice', metric: 'cost', period: 'month', limit: 1 });
    await t.json('POST', '/api/v1/usage', {
      records: [
        ...Array.from({ length: 4 }, (_, i) => record({ id: `feb-${i}`, user: 'alice', time: `2026-02-1${i}T00:00:00Z` })),
        record({ id: 'mar-0', user: 'alice', time: '2026-03-02T00:00:00Z' }),
      ],
    }, 'ingest');
    const febWindow = Date.parse('2026-02-01T00:00:00Z');
    const febCost = async (): Promise<bigint> => (await t.cp.store.windowTotals('month', 'UTC', febWindow, 'user')).find((r) => r.subject === 'alice')!.cost_pico;
    expect(await febCost()).toBe(30_000_000_000n); // 4 × 0.0075 USD

    // A price effective in the past changes nothing by itself…
    await t.json('POST', '/api/v1/prices', { id: 'corrected', ...gpt4o, effective_from: '2026-02-01' });
    expect(await febCost()).toBe(30_000_000_000n);
    t.clock.now = NOW + 5000;
    // …until an admin re-prices February, with a reason.
    const res = await t.json('POST', '/api/v1/prices/reprice', { from: '2026-02-01', to: '2026-03-01', reason: 'supplier corrected the February invoice' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ records: 4, changed: 4, cost_delta_usd: '-0.022' });
    expect(await febCost()).toBe(8_000_000_000n); // 4 × 0.002 USD
    expect(await costs(t, 'from=2026-02-01&to=2026-03-01')).toEqual({ 'feb-0': '0.002', 'feb-1': '0.002', 'feb-2': '0.002', 'feb-3': '0.002' });
    // March was priced at ingest, before the corrected price existed, and lies outside the range: unchanged.
    expect(await costs(t, 'from=2026-03-01')).toEqual({ 'mar-0': '0.0075' });
    await expectTotalsEqualRebuilt(t.cp.store, () => t.cp.ledger.rebuildTotals());
    const trail = (await t.json('GET', '/api/v1/audit?kind=price', undefined, 'read')).body.entries;
    expect(trail.at(-1)).toMatchObject({
      action: 'reprice', actor: 'admin', subject: '2026-02-01T00:00:00.000Z..2026-03-01T00:00:00.000Z',
      reason: 'supplier corrected the February invoice', data: { records: 4, changed: 4, cost_delta_usd: '-0.022' }, time: new Date(NOW + 5000).toISOString(),
    });
    // Again: nothing left to change.
    expect((await t.json('POST', '/api/v1/prices/reprice', { from: '2026-02-01', to: '2026-03-01', reason: 'check' })).body).toEqual({ records: 4, changed: 0, cost_delta_usd: '0' });
  });

  it('re-pricing needs a reason and an ordered range', async () => {
    const t = s = await startTestServer({ now: NOW });
    const noReason = await t.json('POST', '/api/v1/prices/reprice', { from: '2026-02-01', to: '2026-03-01' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.details).toEqual([{ path: 'reason', message: 'Invalid input: expected string, received undefined' }]);
    const backwards = await t.json('POST', '/api/v1/prices/reprice', { from: '2026-03-01', to: '2026-02-01', reason: 'x' });
    expect(backwards.body.error.details).toEqual([{ path: 'to', message: 'must be after from' }]);
    const badDate = await t.json('POST', '/api/v1/prices/reprice', { from: 'February', to: '2026-02-01', reason: 'x' });
    expect(badDate.body.error.details[0]).toEqual({ path: 'from', message: 'must be an RFC 3339 date or date-time' });
    expect((await t.json('POST', '/api/v1/prices/reprice', { from: '2026-02-01', to: '2026-03-01', reason: 'x' }, 'read')).status).toBe(403);
    expect((await t.json('GET', '/api/v1/audit?kind=price', undefined, 'read')).body.entries).toEqual([]);
  });

  it('admin entries: PUT creates then replaces, DELETE removes (audited); bundled ids and clashing starts are refused naming the field', async () => {
    const t = s = await startTestServer({ now: NOW });
    expect((await t.json('PUT', '/api/v1/prices/p1', { ...gpt4o, effective_from: '2026-03-01' })).status).toBe(201);
    const replaced = await t.json('PUT', '/api/v1/prices/p1', { ...gpt4o, effective_from: '2026-03-01', prices: { input: '3', output: '4' } });
    expect(replaced.status).toBe(200);
    expect(t.cp.prices.catalog.entries().find((e) => e.id === 'p1')?.prices).toEqual({ input: '3', output: '4' });
    const bundled = await t.json('PUT', '/api/v1/prices/openai%2Fgpt-4o', { ...gpt4o, effective_from: '2026-03-01' });
    expect(bundled.status).toBe(409);
    // Same provider, pattern, layer and start as p1: ambiguous.
    const clash = await t.json('POST', '/api/v1/prices', { id: 'p2', ...gpt4o, effective_from: '2026-03-01' });
    expect(clash.status).toBe(400);
    expect(clash.body.error.details).toEqual([{ path: 'effective_from', message: 'same provider, pattern, layer and start as "p1"' }]);
    expect((await t.json('POST', '/api/v1/prices', { id: 'p1', ...gpt4o, effective_from: '2026-04-01' })).status).toBe(409);
    const wrongSource = await t.json('POST', '/api/v1/prices', { ...gpt4o, effective_from: '2026-04-01', source: 'bundled' });
    expect(wrongSource.body.error.details).toEqual([{ path: 'source', message: 'must be "admin"' }]);
    expect((await t.call('DELETE', '/api/v1/prices/p1')).status).toBe(204);
    expect((await t.call('DELETE', '/api/v1/prices/p1')).status).toBe(404);
    expect(t.cp.prices.entries.size).toBe(0);
    const actions = (await t.json('GET', '/api/v1/audit?kind=price', undefined, 'read')).body.entries.map((e: { action: string }) => e.action);
    expect(actions).toEqual(['create', 'update', 'delete']);
  });

  it('admin prices survive a restart', async () => {
    const t = s = await startTestServer({ now: NOW, dbFile: true });
    await t.json('POST', '/api/v1/prices', { id: 'keep', ...gpt4o, effective_from: '2026-01-01' });
    await t.close();
    const { startServer } = await import('../../src/index.js');
    const again = await startServer({ config: t.cp.config, clock: () => NOW, onError: () => {} });
    try {
      expect(again.cp.prices.catalog.price({ provider: 'openai', model: 'gpt-4o', timeMs: NOW, tokens: { input: 1000, output: 500, cache_read: 0, cache_write: 0, reasoning: 0 } }))
        .toMatchObject({ priced: true, costPicoUsd: 2_000_000_000n, priceId: 'keep' });
    } finally {
      await again.close();
    }
  });
});
