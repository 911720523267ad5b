/**
 * The FOCUS 1.2 export: its columns and every value checked against the
 * specification's column list kept in the repository (names, Mandatory
 * columns, nulls, numeric and date-time formats, allowed values, JSON tags);
 * one row per day × subject × model × token type; EffectiveCost sums to the
 * ledger total exactly, ListCost is the list price without cache and batch
 * discounts.
 */
import { parsePricePerMillion, parseUsd } from '@tokenmeter/instrumentation/pricing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FOCUS_HEADER } from '../../src/reports/focus/columns.js';
import { FOCUS_1_2_COLUMNS } from '../../src/reports/focus/spec-columns.js';
import { validateFocusHeader, validateFocusRow } from '../../src/reports/focus/validate.js';
import { record, startTestServer, type TestServer } from '../helpers.js';
import { NOW, ingest, ledgerTotal, parseCsv, runReport, seedRecords } from './support.js';

const FROM = Date.parse('2026-03-01T00:00:00Z');
const TO = Date.parse('2026-03-20T00:00:00Z');
let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ now: NOW });
  await ingest(t, seedRecords({ from: FROM, to: TO, count: 1000, seed: 11 }));
});

afterAll(async () => {
  await t?.stop();
});

async function focus(def: Record<string, unknown>): Promise<{ header: string[]; rows: Array<Record<string, string>> }> {
  const text = (await runReport(t, { kind: 'usage', format: 'focus', ...def })).body.toString();
  return { header: text.split('\r\n')[0]!.split(','), rows: parseCsv(text) };
}

describe('FOCUS 1.2 columns', () => {
  it('the kept column list is the specification\'s: 57 columns, the 21 Mandatory ones', () => {
    expect(FOCUS_1_2_COLUMNS.length).toBe(57);
    expect(FOCUS_1_2_COLUMNS.filter((c) => c.feature_level === 'Mandatory').map((c) => c.id)).toEqual([
      'BilledCost', 'BillingAccountId', 'BillingAccountName', 'BillingCurrency', 'BillingPeriodEnd', 'BillingPeriodStart', 'ChargeCategory',
      'ChargeClass', 'ChargeDescription', 'ChargePeriodEnd', 'ChargePeriodStart', 'ContractedCost', 'EffectiveCost', 'InvoiceIssuerName',
      'ListCost', 'PricingQuantity', 'PricingUnit', 'ProviderName', 'PublisherName', 'ServiceCategory', 'ServiceName',
    ]);
  });

  it('the export\'s header passes the validator, which does catch a broken header', () => {
    expect(validateFocusHeader(FOCUS_HEADER)).toEqual([]);
    expect(validateFocusHeader(FOCUS_HEADER.filter((h) => h !== 'ListCost'))).toEqual(['missing mandatory column ListCost']);
    expect(validateFocusHeader([...FOCUS_HEADER, 'Colour'])).toEqual(['column Colour is neither a FOCUS 1.2 column nor x_-prefixed']);
    expect(validateFocusHeader(['x_First', ...FOCUS_HEADER])[0]).toMatch(/comes after custom columns/);
  });

  it('the validator catches bad values', () => {
    expect(validateFocusRow({ BilledCost: '1,5', ChargePeriodStart: '2026-03-01 00:00', ChargeCategory: 'Fee', BillingAccountId: null, Tags: '[1]' }, 0)).toEqual([
      'row 0 BilledCost: "1,5" is not in the numeric format',
      'row 0 ChargePeriodStart: "2026-03-01 00:00" is not YYYY-MM-DDTHH:mm:ssZ',
      'row 0 ChargeCategory: "Fee" is not an allowed value',
      'row 0 BillingAccountId: null, but the column allows no nulls',
      'row 0 Tags: not a JSON object',
    ]);
  });
});

describe('FOCUS 1.2 usage export', () => {
  it('every row is valid against the specification, and EffectiveCost sums to the ledger total exactly', async () => {
    const { header, rows } = await focus({ period: { from: '2026-03-01', to: '2026-03-20' } });
    expect(header).toEqual([...FOCUS_HEADER]);
    expect(rows.length).toBeGreaterThan(100);
    const problems = rows.flatMap((r, i) => validateFocusRow(r, i));
    expect(problems).toEqual([]);
    const ledger = await ledgerTotal(t.cp.store, FROM, TO);
    expect(rows.reduce((s, r) => s + parseUsd(r.EffectiveCost!), 0n)).toBe(ledger.pico);
    expect(rows.reduce((s, r) => s + parseUsd(r.BilledCost!), 0n)).toBe(ledger.pico);
    // Unpriced tokens are rows of their own, flagged, never a silent $0.
    const unpriced = rows.filter((r) => r.x_Unpriced === 'true');
    expect(unpriced.length).toBeGreaterThan(0);
    expect(unpriced.every((r) => r.ChargeDescription!.endsWith(', unpriced') && r.ListUnitPrice === '')).toBe(true);
  });

  it('has one row per day × subject × model × token type, with tags carrying the attribution', async () => {
    const { rows } = await focus({ period: 'month_to_date' });
    const keys = rows.map((r) => [r.ChargePeriodStart, r.Tags, r.SkuId, r.x_ServiceTier, r.x_PriceId, r.x_TokenType].join('|'));
    expect(new Set(keys).size).toBe(rows.length);
    for (const r of rows) {
      expect(Date.parse(r.ChargePeriodEnd!) - Date.parse(r.ChargePeriodStart!)).toBe(86_400_000);
      const tags = JSON.parse(r.Tags!) as Record<string, string>;
      expect(Object.keys(tags).sort()).toEqual(['department', 'feature', 'org', 'user']);
      expect(r.SubAccountId).toBe(tags.department);
      expect(r.BillingAccountId).toBe(tags.org);
      expect(r.BillingPeriodStart).toBe('2026-03-01T00:00:00Z');
      expect(r.BillingPeriodEnd).toBe('2026-04-01T00:00:00Z');
      expect(r.PricingUnit).toBe('1000000 Tokens');
      expect(parseUsd(r.PricingQuantity!) * 1_000_000n).toBe(BigInt(r.ConsumedQuantity!) * 1_000_000_000_000n);
    }
    // The token counts of one day and department add up to the ledger's.
    const day = rows.filter((r) => r.ChargePeriodStart === '2026-03-05T00:00:00Z' && r.SubAccountId === 'eng');
    const ledger = await ledgerTotal(t.cp.store, Date.parse('2026-03-05T00:00:00Z'), Date.parse('2026-03-06T00:00:00Z'), { department: 'eng' });
    expect(day.reduce((s, r) => s + parseUsd(r.EffectiveCost!), 0n)).toBe(ledger.pico);
  });

  it('ListCost is the list price: cached input at the input rate, batch at the standard rate; EffectiveCost is what was paid', async () => {
    const u = await startTestServer({ now: NOW });
    try {
      const time = '2026-03-10T10:00:00Z';
      await ingest(u, [
        record({ time, provider: 'openai', request_model: 'gpt-4o', user: 'ann', tokens: { input: 1000, output: 0, cache_read: 4000, cache_write: 0, reasoning: 0 } }),
        record({ time, provider: 'anthropic', request_model: 'claude-sonnet-4-5', user: 'bob', service_tier: 'batch', tokens: { input: 2000, output: 500, cache_read: 0, cache_write: 0, reasoning: 0 } }),
      ]);
      const text = (await runReport(u, { kind: 'usage', format: 'focus', period: 'month_to_date' })).body.toString();
      const rows = parseCsv(text);
      const row = (user: string, type: string): Record<string, string> => rows.find((r) => JSON.parse(r.Tags!).user === user && r.x_TokenType === type)!;
      const cached = row('ann', 'cache_read');
      const input = row('ann', 'input');
      const rate = (usdPerMillion: string): bigint => parsePricePerMillion(usdPerMillion);
      // gpt-4o: input 2.50, cached input 1.25 per million tokens.
      expect(cached.ListUnitPrice).toBe(input.ListUnitPrice);
      expect(parseUsd(cached.ListCost!)).toBe(4000n * rate(input.ListUnitPrice!));
      expect(parseUsd(cached.EffectiveCost!)).toBe(parseUsd(cached.ListCost!) / 2n);
      expect(cached.SkuMeter).toBe('Cache Read Tokens');
      // claude-sonnet-4-5 batch: half the standard rates.
      for (const type of ['input', 'output']) {
        const b = row('bob', type);
        expect(b.x_ServiceTier).toBe('batch');
        expect(b.x_PriceTier).toBe('batch');
        expect(parseUsd(b.EffectiveCost!) * 2n).toBe(parseUsd(b.ListCost!));
        expect(b.ContractedCost).toBe(b.ListCost);
        expect(b.ProviderName).toBe('Anthropic');
        expect(b.ServiceName).toBe('claude-sonnet-4-5');
      }
      const ledger = await ledgerTotal(u.cp.store, 0, NOW);
      expect(rows.reduce((s, r) => s + parseUsd(r.EffectiveCost!), 0n)).toBe(ledger.pico);
      expect(rows.flatMap((r, i) => validateFocusRow(r, i))).toEqual([]);
    } finally {
      await u.stop();
    }
  });

  it('ContractedCost follows an admin price (the negotiated rate) while ListCost stays at the public list price', async () => {
    const u = await startTestServer({ now: NOW });
    try {
      const price = await u.json('POST', '/api/v1/prices', {
        id: 'acme-gpt-4o', provider: 'openai', model_pattern: 'gpt-4o', match: 'exact', effective_from: '2026-01-01',
        currency: 'USD', prices: { input: '2', output: '8', cache_read: '1' },
      });
      expect(price.status).toBe(201);
      await ingest(u, [record({ time: '2026-03-10T10:00:00Z', provider: 'openai', request_model: 'gpt-4o', tokens: { input: 1_000_000, output: 0, cache_read: 0, cache_write: 0, reasoning: 0 } })]);
      const [r] = parseCsv((await runReport(u, { kind: 'usage', format: 'focus', period: 'month_to_date' })).body.toString());
      expect(r!.x_PriceId).toBe('acme-gpt-4o');
      expect(r!.EffectiveCost).toBe('2');
      expect(r!.ContractedCost).toBe('2');
      expect(r!.ContractedUnitPrice).toBe('2');
      expect(r!.ListUnitPrice).toBe('2.5');
      expect(r!.ListCost).toBe('2.5');
    } finally {
      await u.stop();
    }
  });
});
