/**
 * Chargeback and recommendations end to end, the same on SQLite and
 * Postgres: generated ledgers with a known answer (workloads.ts) ingested
 * through `POST /api/v1/usage`, read back through the analytics endpoints.
 */
import { parseUsd } from '@tokenmeter/instrumentation/pricing';
import { afterEach, describe, expect, it } from 'vitest';
import { allocationResponse, efficiencyResponse, recommendationsResponse, roiResponse, topResponse } from '../../src/api/analytics-ii-responses.js';
import { sliceTotals } from '../../src/analytics/chargeback-queries.js';
import type { LedgerSlice } from '../../src/analytics/ledger-sql.js';
import { ledgerTotalsOf, readQueryOf } from '../../src/analytics/reads.js';
import type { Config } from '../../src/index.js';
import { startTestServer, type TestServer } from '../helpers.js';
import { NOW, cachingWorkload, chargebackWorkload, efficiencyWorkload, nightlyWorkload, simpleWorkload } from './workloads.js';

export interface AnalyticsTarget {
  kind: 'sqlite' | 'postgres';
  fresh(): Promise<Partial<Config>>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies are inspected ad hoc
type Json = any;

const cents = (usd: string): string => (Math.round(Number(usd) * 100) / 100).toFixed(2);

export function defineAnalyticsSuite(target: AnalyticsTarget): void {
  const servers: TestServer[] = [];
  afterEach(async () => {
    for (const t of servers.splice(0).reverse()) await t.stop();
  });

  const open = async (): Promise<TestServer> => {
    const t = await startTestServer({ now: NOW, config: await target.fresh() });
    servers.push(t);
    expect(t.cp.store.kind).toBe(target.kind);
    return t;
  };

  const ingest = async (t: TestServer, records: Array<Record<string, unknown>>): Promise<void> => {
    for (let i = 0; i < records.length; i += 500) {
      const r = await t.json('POST', '/api/v1/usage', { records: records.slice(i, i + 500) }, 'ingest');
      expect(r.status).toBe(200);
      expect(r.body.accepted).toBe(Math.min(500, records.length - i));
      expect(r.body.unpriced).toBe(0);
    }
  };

  /** Every answer read here must match the response schema its route declares in the OpenAPI document. */
  const declared = { allocation: allocationResponse, top: topResponse, efficiency: efficiencyResponse, roi: roiResponse, recommendations: recommendationsResponse };
  const get = async (t: TestServer, path: string): Promise<Json> => {
    const r = await t.json('GET', `/api/v1/analytics/${path}`, undefined, 'read');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const schema = declared[path.split('?')[0] as keyof typeof declared];
    expect(schema, path).toBeDefined();
    const checked = schema.safeParse(r.body);
    expect(checked.success ? [] : checked.error.issues, path).toEqual([]);
    return r.body;
  };

  describe(`${target.kind}: recommendations`, () => {
    it('finds the caching, batching and model-selection savings of known workloads, to the cent', async () => {
      const t = await open();
      await ingest(t, [...cachingWorkload(), ...nightlyWorkload(), ...simpleWorkload(), ...efficiencyWorkload()]);
      const body = await get(t, 'recommendations?min_savings_usd=0');
      const recs: Json[] = body.recommendations;
      const find = (type: string, name: string): Json => recs.find((r) => r.type === type && r.subject.name === name);

      const caching = find('prompt_caching', 'rag');
      expect(caching).toMatchObject({ kind: 'enable_caching', difficulty: 'low', subject: { scope: 'feature', provider: 'anthropic', model: 'claude-sonnet-4-5-20250929' } });
      expect(caching.estimated_monthly_savings_usd).toBe('9.514567125');
      expect(cents(caching.estimated_monthly_savings_usd)).toBe('9.51');
      expect(caching.evidence).toMatchObject({ requests: 600, cacheable_prefix_tokens: 3_600_000, cache_read_tokens: 0, cold_starts_5m: 120, cold_starts_1h: 10, plan: '1h' });
      expect(caching.window_savings_usd).toBe('9.378');

      const batching = find('batching', 'nightly-etl');
      expect(batching).toMatchObject({ kind: 'nightly_job', difficulty: 'medium', window_savings_usd: '3.375' });
      expect(cents(batching.estimated_monthly_savings_usd)).toBe('3.42');
      expect(batching.evidence).toMatchObject({ requests: 300, busiest_local_hours: [2], share_in_busiest_hours: 1 });

      const model = find('model_selection', 'classify');
      expect(model).toMatchObject({ difficulty: 'high', window_savings_usd: '1.2', evidence: { cheaper_model: 'claude-sonnet-4-5', requests: 1000 } });
      expect(cents(model.estimated_monthly_savings_usd)).toBe('1.22');

      expect(find('prompt_efficiency', 'summarize')).toMatchObject({ kind: 'truncated_retries', window_savings_usd: '0.1012', evidence: { truncated_requests: 20, retried_truncated_requests: 20, mean_max_output_tokens: 256 } });
      expect(find('failed_spend', 'summarize')).toMatchObject({ window_savings_usd: '0.00375', evidence: { failed_requests: 3, top_error_type: 'timeout' } });
      expect(find('prompt_efficiency', 'faq')).toMatchObject({ kind: 'duplicate_requests', window_savings_usd: '0.0012', evidence: { duplicate_requests: 4, repeated_requests: 1 } });

      // Ranked by savings, each with a reason for its difficulty and a confidence.
      const savings = recs.map((r) => parseUsd(r.estimated_monthly_savings_usd));
      expect([...savings].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0))).toEqual(savings);
      for (const r of recs) {
        expect(['low', 'medium', 'high']).toContain(r.confidence_level);
        expect(r.confidence).toBe({ low: 0.3, medium: 0.6, high: 0.9 }[r.confidence_level as string]);
        expect(r.difficulty_reason.length).toBeGreaterThan(10);
        expect([r.evidence['period.to'], r.evidence['period.days']]).toEqual([new Date(NOW).toISOString(), 30]);
        for (const v of Object.values(r.evidence)) expect(v === null || typeof v !== 'object' || Array.isArray(v)).toBe(true);
      }
      // The nightly job in New York runs at 21:00 local: still nightly.
      const ny = await get(t, 'recommendations?min_savings_usd=0&tz=America/New_York&type=batching');
      expect(ny.recommendations.map((r: Json) => [r.subject.name, r.evidence.busiest_local_hours])).toEqual([['nightly-etl', [21]]]);
      // scope + subject restrict the traffic looked at.
      const only = await get(t, 'recommendations?min_savings_usd=0&scope=feature&subject=classify');
      expect(new Set(only.recommendations.map((r: Json) => r.subject.name))).toEqual(new Set(['classify']));
      // as_of before the traffic: nothing to recommend.
      expect((await get(t, 'recommendations?min_savings_usd=0&as_of=2026-11-01')).recommendations).toEqual([]);

      // An admin marks the interactive `classify` feature batchable: all its traffic counts, at half price ($3.00 → $1.50).
      expect((await t.json('PUT', '/api/v1/features/classify/batchable', { batchable: true })).body).toEqual({ feature: 'classify', batchable: true });
      const marked = (await get(t, 'recommendations?min_savings_usd=0&type=batching')).recommendations;
      expect(marked.map((r: Json) => [r.subject.name, r.kind, r.window_savings_usd, r.confidence_level])).toEqual([
        ['nightly-etl', 'nightly_job', '3.375', 'high'], ['classify', 'marked_batchable', '1.5', 'high'],
      ]);
      expect((await t.json('GET', '/api/v1/features', undefined, 'read')).body.features).toEqual([expect.objectContaining({ feature: 'classify', batchable: true, values: [] })]);
      await t.json('PUT', '/api/v1/features/classify/batchable', { batchable: false });
      expect((await t.json('GET', '/api/v1/features', undefined, 'read')).body.features).toEqual([]);
    });

    it('a dismissed recommendation is audited and stays hidden until its savings grow substantially', async () => {
      const t = await open();
      await ingest(t, cachingWorkload());
      const first = (await get(t, 'recommendations?min_savings_usd=0&type=prompt_caching')).recommendations[0];
      const read = await t.json('POST', `/api/v1/analytics/recommendations/${first.id}/dismiss`, { reason: 'prefix changes next sprint' }, 'read');
      expect(read.status).toBe(403);
      const dismissed = await t.json('POST', `/api/v1/analytics/recommendations/${first.id}/dismiss`, { reason: 'prefix changes next sprint' });
      expect(dismissed.status).toBe(200);
      expect(dismissed.body).toMatchObject({ id: first.id, monthly_savings_usd: '9.514567125', reason: 'prefix changes next sprint' });
      const audit = await t.json('GET', '/api/v1/audit?kind=recommendation-dismissal', undefined, 'read');
      expect(audit.body.entries.map((e: Json) => [e.action, e.subject, e.actor, e.data.reason])).toEqual([['dismiss', first.id, 'admin', 'prefix changes next sprint']]);

      const after = await get(t, 'recommendations?min_savings_usd=0&type=prompt_caching');
      expect(after.recommendations).toEqual([]);
      expect(after.dismissed_hidden).toBe(1);
      const all = await get(t, 'recommendations?min_savings_usd=0&type=prompt_caching&include_dismissed=true');
      expect(all.recommendations[0].dismissal).toMatchObject({ hidden: true, reason: 'prefix changes next sprint', monthly_savings_usd_when_dismissed: '9.514567125' });

      // Twice the traffic: savings ×2 (+ $9.51) — not yet "substantially" (≥ 1.5× and ≥ +$10).
      const more = cachingWorkload().map((r, i) => ({ ...r, time: new Date(Date.parse('2026-11-11T00:00:00Z') + i * 60_000).toISOString() }));
      await ingest(t, more);
      expect((await get(t, 'recommendations?min_savings_usd=0&type=prompt_caching')).recommendations).toEqual([]);
      // Three times: savings × 3 (+ $19.03): back, with the dismissal it survived.
      await ingest(t, cachingWorkload().map((r, i) => ({ ...r, time: new Date(Date.parse('2026-11-12T00:00:00Z') + i * 60_000).toISOString() })));
      const back = (await get(t, 'recommendations?min_savings_usd=0&type=prompt_caching')).recommendations;
      expect(back.map((r: Json) => r.id)).toEqual([first.id]);
      expect(cents(back[0].estimated_monthly_savings_usd)).toBe('28.54');
      expect(back[0].dismissal).toMatchObject({ hidden: false });
      // Undoing the dismissal is audited too.
      expect((await t.json('DELETE', `/api/v1/analytics/recommendations/${first.id}/dismiss`)).status).toBe(204);
      expect((await t.json('DELETE', `/api/v1/analytics/recommendations/${first.id}/dismiss`)).status).toBe(404);
      expect((await get(t, 'recommendations?min_savings_usd=0&type=prompt_caching')).recommendations[0].dismissal).toBeUndefined();
      const trail = await t.json('GET', '/api/v1/audit?kind=recommendation-dismissal', undefined, 'read');
      expect(trail.body.entries.map((e: Json) => e.action)).toEqual(['dismiss', 'delete']);
    });
  });

  describe(`${target.kind}: chargeback`, () => {
    const rule = { description: 'search serves every department', match: { feature: 'platform-search' } };
    const row = (rows: Json[], ...path: Array<string | null>): Json => {
      const found = rows.find((r: Json) => JSON.stringify(r.path) === JSON.stringify(path));
      expect(found, `row ${path.join('/')}`).toBeDefined();
      return found;
    };
    /** Σ of the top-level rows, and every row equal to the sum of its children. */
    const sumRows = (rows: Json[]): bigint => {
      for (const parent of rows) {
        const children = rows.filter((r: Json) => r.path.length === parent.path.length + 1 && JSON.stringify(r.path.slice(0, -1)) === JSON.stringify(parent.path));
        if (children.length === 0) continue;
        for (const f of ['direct_usd', 'shared_usd', 'total_usd']) expect(children.reduce((a: bigint, c: Json) => a + parseUsd(c[f]), 0n)).toBe(parseUsd(parent[f]));
      }
      return rows.filter((r: Json) => r.path.length === 1).reduce((a: bigint, r: Json) => a + parseUsd(r.total_usd), 0n);
    };

    it('states the ledger total of any window (whole rollup buckets summed in SQL, partial ones from the records) as the records sum it', async () => {
      const t = await open();
      await ingest(t, chargebackWorkload());
      const at = (iso: string): number => Date.parse(iso);
      const windows: Array<[number, number]> = [
        [at('2026-10-01T00:00:00Z'), at('2026-11-01T00:00:00Z')], // whole buckets only
        [at('2026-10-03T00:07:30Z'), at('2026-10-03T00:23:10Z')], // a partial bucket at each edge
        [at('2026-10-03T00:03:00Z'), at('2026-10-03T00:09:00Z')], // inside one bucket
        [at('2026-10-03T00:14:59.999Z'), at('2026-10-03T00:30:00.001Z')], // one whole bucket between two 1-ms edges
        [at('2026-10-03T00:15:00Z'), at('2026-10-03T00:15:00.001Z')],
        [at('2026-09-01T00:00:00Z'), at('2026-09-02T00:00:00Z')], // no records
      ];
      const totals = ledgerTotalsOf(t.cp);
      let nonEmpty = 0;
      for (const [fromMs, toMs] of windows) {
        for (const scoped of [{}, { scope: 'department', subject: 'eng' }, { scope: 'feature', subject: 'platform-search' }] as const) {
          const slice: LedgerSlice = { fromMs, toMs, ...scoped };
          const want = await sliceTotals(readQueryOf(t.cp), slice);
          expect(await totals(slice), JSON.stringify(slice)).toEqual(want);
          if (want.requests > 0) nonEmpty++;
        }
      }
      expect(nonEmpty).toBeGreaterThan(8);
    });

    it('distributes shared and unattributed spend evenly, proportionally and by weights, reconciling with the ledger to the pico-dollar', async () => {
      const t = await open();
      await ingest(t, chargebackWorkload());
      expect((await t.json('PUT', '/api/v1/allocation-rules/platform-search', rule)).status).toBe(201);
      const period = 'from=2026-10-01&to=2026-11-01&levels=org,department,feature';

      const even = await get(t, `allocation?${period}&shared=even`);
      expect(even.reconciliation).toMatchObject({ ledger_total_usd: '0.06525125', allocated_total_usd: '0.06525125', difference_usd: '0', reconciled: true, ledger_requests: 29, rows_requests: 29 });
      expect(sumRows(even.rows)).toBe(65_251_250_000n);
      // Unattributed 15,751,250,000 / 3 → 5,250,416,667 / …667 / …666; platform-search 9 × 10⁹ / 3.
      expect(row(even.rows, 'acme', 'eng').shared_usd).toBe('0.008250416667');
      expect(row(even.rows, 'acme', 'support').shared_usd).toBe('0.008250416666');
      expect(row(even.rows, 'acme', 'eng')).toMatchObject({ direct: { cost_usd: '0.0225', requests: 10 }, total_usd: '0.030750416667', level: 'department', key: 'eng' });
      expect(row(even.rows, 'acme', 'eng').shared_by_rule).toEqual({ 'platform-search': '0.003', unattributed: '0.005250416667' });

      const prop = await get(t, `allocation?${period}&shared=proportional`);
      expect(prop.reconciliation.reconciled).toBe(true);
      expect(sumRows(prop.rows)).toBe(65_251_250_000n);
      // 15,751,250,000 × 22.5 / 40.5 = 8,750,694,444.4 (+1, the largest remainder); search 9 × 10⁹ × 5/9.
      expect(row(prop.rows, 'acme', 'eng').shared_usd).toBe('0.013750694445');
      expect(row(prop.rows, 'acme', 'sales').shared_usd).toBe('0.006875347222');
      expect(row(prop.rows, 'acme', 'support').shared_usd).toBe('0.004125208333');
      // eng's share passes down to its features by their direct cost (f1 6/10, f2 4/10), exactly.
      const f1 = parseUsd(row(prop.rows, 'acme', 'eng', 'f1').shared_usd);
      const f2 = parseUsd(row(prop.rows, 'acme', 'eng', 'f2').shared_usd);
      expect(f1 + f2).toBe(13_750_694_445n);

      expect((await t.json('PUT', '/api/v1/allocation-rules/unattributed', { match: { department: null }, weights: { eng: 1, sales: 1, support: 2 } })).status).toBe(201);
      const weights = await get(t, `allocation?${period}&shared=weights`);
      expect(weights.reconciliation.reconciled).toBe(true);
      const pools = Object.fromEntries(weights.shared_pools.map((p: Json) => [p.rule_id, p]));
      expect(pools.unattributed.receivers.map((r: Json) => [r.department, r.weight, r.cost_usd])).toEqual([
        ['eng', '1', '0.0039378125'], ['sales', '1', '0.0039378125'], ['support', '2', '0.007875625'],
      ]);
      expect(pools['platform-search']).toMatchObject({ applied_method: 'proportional', note: expect.stringMatching(/stores no weights/) });

      // Projects and investigations are levels like the others.
      const deep = await get(t, 'allocation?from=2026-10-01&to=2026-11-01&levels=department,project,investigation&shared=even');
      expect(row(deep.rows, 'eng', 'search-v2', 'inc-7').direct).toMatchObject({ cost_usd: '0.0045', requests: 2 });
      expect(deep.reconciliation.reconciled).toBe(true);
      // scope=department: the unit's charge, its share of shared spend included.
      const eng = await get(t, `allocation?${period}&shared=even&scope=department&subject=eng`);
      expect(eng.rows.filter((r: Json) => r.path.length === 1).map((r: Json) => r.key)).toEqual(['acme']);
      expect(eng.reconciliation).toMatchObject({ reconciled: true, shown_total_usd: '0.030750416667' });
    });

    it('allocation rules are admin writes, audited, and validated by name', async () => {
      const t = await open();
      expect((await t.json('PUT', '/api/v1/allocation-rules/r1', rule, 'read')).status).toBe(403);
      expect((await t.json('PUT', '/api/v1/allocation-rules/r1', rule)).status).toBe(201);
      expect((await t.json('PUT', '/api/v1/allocation-rules/r1', { ...rule, receivers: ['eng'] })).status).toBe(200);
      expect((await t.json('GET', '/api/v1/allocation-rules/r1', undefined, 'read')).body).toMatchObject({ id: 'r1', receivers: ['eng'] });
      expect((await t.json('GET', '/api/v1/allocation-rules', undefined, 'read')).body.rules.map((r: Json) => r.id)).toEqual(['r1']);
      const badRule = await t.json('PUT', '/api/v1/allocation-rules/r2', { match: {}, weights: { eng: -1 } });
      expect(badRule.status).toBe(400);
      expect(badRule.body.error.details.map((d: Json) => d.path).sort()).toEqual(['match', 'weights', 'weights.eng']);
      const badId = await t.json('PUT', '/api/v1/allocation-rules/bad%20id', rule);
      expect([badId.status, badId.body.error.details[0].path]).toEqual([400, 'id']);
      expect((await t.json('DELETE', '/api/v1/allocation-rules/r1')).status).toBe(204);
      expect((await t.json('DELETE', '/api/v1/allocation-rules/r1')).status).toBe(404);
      const audit = await t.json('GET', '/api/v1/audit?kind=allocation-rule', undefined, 'read');
      expect(audit.body.entries.map((e: Json) => e.action)).toEqual(['create', 'update', 'delete']);
    });

    it('top consumers, department comparison, efficiency and ROI', async () => {
      const t = await open();
      await ingest(t, [...chargebackWorkload(), ...simpleWorkload()]);
      const top = await get(t, 'top?group_by=department&from=2026-10-01&to=2026-11-01');
      expect(top.rows.slice(0, 2).map((r: Json) => [r.key, r.cost_usd, r.requests, r.share])).toEqual([['eng', '0.0225', 10, 0.344821], [null, '0.01575125', 7, 0.241394]]);
      expect(top.rows[0]).toMatchObject({ cost_per_request_usd: '0.00225', active_users: 2, cost_per_active_user_usd: '0.01125', previous: { cost_usd: '0' }, change: null, change_absolute: '0.0225' });
      expect(top.previous_period).toMatchObject({ from: '2026-09-01T00:00:00.000Z', to: '2026-10-01T00:00:00.000Z', basis: 'calendar_months' });
      // November against October, month to date at the clock.
      const nov = await get(t, 'top?group_by=feature&metric=requests&limit=1');
      expect(nov.rows).toEqual([expect.objectContaining({ key: 'classify', requests: 1000, share: 1 })]);
      expect(nov.others.groups).toBe(0);

      const eff = await get(t, 'efficiency?group_by=model&from=2026-10-01');
      const opus = eff.rows.find((r: Json) => r.key === 'claude-opus-4-5');
      expect(opus).toMatchObject({ requests: 1000, successful_requests: 1000, cost_per_successful_request_usd: '0.003', tokens_per_request: { input: 500, output: 20 }, error_rate: 0, output_per_input: 0.04 });
      expect(eff.org_median).toHaveProperty('cost_per_successful_request_usd');

      expect((await t.json('PUT', '/api/v1/features/classify/value', { effective_from: '2026-11-01', usd_per_success: '0.01' }, 'read')).status).toBe(403);
      const put = await t.json('PUT', '/api/v1/features/classify/value', { effective_from: '2026-11-01', usd_per_success: '0.01' });
      expect(put.status).toBe(200);
      const roi = await get(t, 'roi?from=2026-10-01');
      expect(roi.features).toEqual([expect.objectContaining({ feature: 'classify', value_usd: '10', cost_usd: '3', net_usd: '7', roi: 2.3333, successful_requests: 1000 })]);
      expect(roi.features_without_value.map((f: Json) => f.feature)).toContain('platform-search');
      const audit = await t.json('GET', '/api/v1/audit?kind=feature', undefined, 'read');
      expect(audit.body.entries[0]).toMatchObject({ action: 'set-value', subject: 'classify', actor: 'admin' });

      // A second version from 2026-11-06 halves the value of the calls after it: 144 calls on 11-05 at $0.01, 856 at $0.005.
      await t.json('PUT', '/api/v1/features/classify/value', { effective_from: '2026-11-06', usd_per_success: '0.005' });
      expect((await t.json('GET', '/api/v1/features/classify/value', undefined, 'read')).body.values.map((v: Json) => v.effective_from)).toEqual(['2026-11-01', '2026-11-06']);
      const two = await get(t, 'roi?from=2026-10-01');
      expect(two.features[0]).toMatchObject({ value_usd: '5.72', net_usd: '2.72', roi: 0.9067 });
      // A monthly value instead: $310 a month over November 1–20 12:00 UTC = $310 × 19.5 / 30 = $201.5.
      expect((await t.json('DELETE', '/api/v1/features/classify/value?effective_from=2026-11-06')).status).toBe(204);
      await t.json('PUT', '/api/v1/features/classify/value', { effective_from: '2026-11-01', usd_per_month: '310' });
      expect((await get(t, 'roi?from=2026-10-01')).features[0]).toMatchObject({ value_usd: '201.5', value_basis: ['per_month'] });
      expect((await t.json('DELETE', '/api/v1/features/classify/value')).status).toBe(204);
      expect((await t.json('GET', '/api/v1/features/classify/value', undefined, 'read')).status).toBe(404);
    });

    it('feeds the chargeback and recommendations reports', async () => {
      const t = await open();
      await ingest(t, [...chargebackWorkload(), ...cachingWorkload()]);
      await t.json('PUT', '/api/v1/allocation-rules/platform-search', rule);
      const report = async (body: Record<string, unknown>): Promise<Json> => {
        const res = await t.call('POST', '/api/v1/reports', { token: 'read', body: { format: 'json', ...body } });
        const text = await res.text();
        expect(res.status, text).toBe(200);
        return JSON.parse(text);
      };
      const cb = await report({ kind: 'chargeback', scope: 'department', period: { from: '2026-10-01', to: '2026-11-01' } });
      // Proportional, as the endpoint: eng 22.5 × 10⁹ direct + 13,750,694,445 shared.
      expect(cb.rows.find((r: Json) => r.subject === 'eng')).toMatchObject({ direct_usd: '0.0225', shared_usd: '0.013750694445', total_usd: '0.036250694445', rule_ids: 'platform-search unattributed' });
      expect(cb.rows.reduce((a: bigint, r: Json) => a + parseUsd(r.total_usd), 0n)).toBe(65_251_250_000n);
      // A report's own rules replace the stored ones; a bad rule is named.
      const own = await report({ kind: 'chargeback', scope: 'department', period: { from: '2026-10-01', to: '2026-11-01' }, allocation_rules: [{ id: 'unattributed', match: { department: null }, receivers: ['sales'] }] });
      expect(own.rows.find((r: Json) => r.subject === 'sales')).toMatchObject({ shared_usd: '0.01575125' });
      const bad = await t.json('POST', '/api/v1/reports', { kind: 'chargeback', format: 'json', allocation_rules: [{ id: 'x', pool: { feature: 'f' } }] }, 'read');
      expect(bad.status).toBe(400);
      expect(bad.body.error.details.map((d: Json) => d.path)).toContain('allocation_rules[0].pool');

      const recs = await report({ kind: 'recommendations', period: { from: '2026-10-21T12:00:00Z', to: '2026-11-20T12:00:00Z' } });
      expect(recs.rows.find((r: Json) => r.type === 'prompt_caching')).toMatchObject({ subject: 'rag', estimated_monthly_savings_usd: '9.514567125', difficulty: 'low', confidence: 'high', dismissed: false });
    });

    it('a period with no data answers with empty, balanced tables', async () => {
      const t = await open();
      await ingest(t, chargebackWorkload());
      const period = 'from=2025-01-01&to=2025-02-01';
      const alloc = await get(t, `allocation?${period}`);
      expect(alloc.rows).toEqual([]);
      expect(alloc.reconciliation).toMatchObject({ ledger_total_usd: '0', allocated_total_usd: '0', reconciled: true });
      expect((await get(t, `top?group_by=user&${period}`)).rows).toEqual([]);
      expect((await get(t, `efficiency?${period}`)).rows).toEqual([]);
      expect((await get(t, `roi?${period}`)).features_without_value).toEqual([]);
      expect((await get(t, 'recommendations?from=2025-01-01&to=2025-02-01')).recommendations).toEqual([]);
    });

    it('bad parameters are 400s naming them', async () => {
      const t = await open();
      const cases: Array<[string, string]> = [
        ['allocation?tz=Mars/Olympus', 'tz'],
        ['allocation?scope=department', 'subject'],
        ['allocation?subject=eng', 'scope'],
        ['allocation?levels=org,galaxy', 'levels'],
        ['allocation?shared=random', 'shared'],
        ['allocation?from=2026-11-02&to=2026-11-01', 'from'],
        ['allocation?from=yesterday', 'from'],
        ['allocation?as_of=2026-13-01', 'as_of'],
        ['allocation?bogus=1', 'bogus'],
        ['top?group_by=planet', 'group_by'],
        ['top?metric=joy', 'metric'],
        ['top?limit=0', 'limit'],
        ['efficiency?group_by=user', 'group_by'],
        ['recommendations?min_savings_usd=lots', 'min_savings_usd'],
        ['recommendations?type=magic', 'type'],
        ['recommendations?from=2026-01-01', 'from'],
        ['roi?scope=galaxy&subject=x', 'scope'],
        ['top?as_of=2026-12-01', 'as_of'],
        ['efficiency?from=2026-02-30', 'from'],
      ];
      for (const [path, param] of cases) {
        const r = await t.json('GET', `/api/v1/analytics/${path}`, undefined, 'read');
        expect(r.status, path).toBe(400);
        expect(r.body.error.details.map((d: Json) => d.path), path).toContain(param);
        expect(r.body.error.message, path).toContain(param);
      }
      // One shape and one wording with summary … quota-suggestions (analytics-params.ts).
      expect((await t.json('GET', '/api/v1/analytics/allocation?scope=department', undefined, 'read')).body).toEqual({ error: {
        code: 'invalid_request', message: 'invalid query: subject: is required with scope (e.g. scope=department&subject=…)',
        details: [{ path: 'subject', message: 'is required with scope (e.g. scope=department&subject=…)' }],
      } });
      expect((await t.json('GET', '/api/v1/analytics/allocation?tz=Mars/Olympus', undefined, 'read')).body.error.message)
        .toBe('invalid query: tz: must be an IANA time zone such as "Europe/Berlin" or "UTC"');
      const future = new Date(NOW + 61_000).toISOString();
      for (const path of ['allocation', 'top', 'efficiency', 'roi', 'recommendations']) {
        const r = await t.json('GET', `/api/v1/analytics/${path}?as_of=${future}`, undefined, 'read');
        expect(r.status, path).toBe(400);
        expect(r.body.error.details, path).toEqual([{ path: 'as_of', message: `must not be in the future (${future} is after now, ${new Date(NOW).toISOString()}, by more than 60 s)` }]);
      }
      // Within the clock-skew allowance, as_of may lead the service's clock.
      expect((await t.json('GET', `/api/v1/analytics/top?as_of=${new Date(NOW + 60_000).toISOString()}`, undefined, 'read')).status).toBe(200);
      const value = await t.json('PUT', '/api/v1/features/x/value', { effective_from: '2026-11-01' });
      expect(value.status).toBe(400);
      expect(value.body.error.details[0].path).toBe('usd_per_success');
      expect((await t.json('POST', '/api/v1/analytics/recommendations/rec_00000000000000000000/dismiss', {})).status).toBe(404);
    });
  });
}
