/**
 * The recommendations' one-scan reading of the window on SQLite
 * (window-scan.ts) gives the four GROUP BYs' answers exactly, whatever the
 * page size: compared on a real SQLite ledger holding the known-answer
 * workloads and a generated ledger with the awkward cases (missing
 * attributes, repeats across features, shared prefixes, instants shared by
 * many records, blocked calls, non-BMP names).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readQueryOf } from '../../src/analytics/reads.js';
import { windowAggregates } from '../../src/analytics/recommendations/engine.js';
import type { DetectorAggregates } from '../../src/analytics/recommendations/types.js';
import { binaryLess, scanWindow } from '../../src/analytics/recommendations/window-scan.js';
import type { LedgerSlice, ReadQuery } from '../../src/analytics/ledger-sql.js';
import { startTestServer, type TestServer } from '../helpers.js';
import { NOW, cachingWorkload, efficiencyWorkload, nightlyWorkload, simpleWorkload, wire } from './workloads.js';

const DAY = 86_400_000;
const MODELS = [['openai', 'gpt-5'], ['openai', 'gpt-5-mini'], ['anthropic', 'claude-sonnet-4-5'], ['anthropic', 'claude-haiku-4-5']] as const;
const FINISH = ['stop', 'length', 'max_tokens', 'tool_calls', 'tool_use', null] as const;
const NAMES = [null, 'alpha', 'beta', '\u{1F600}smile', '\uE000private', 'Zed'] as const;

/** Deterministic records with every case the aggregates treat specially. */
function awkwardWorkload(n: number): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  let x = 12345;
  const rnd = (k: number): number => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) % k;
  };
  for (let i = 0; i < n; i++) {
    // Bunched instants (several records at the same millisecond), across day and 5-minute boundaries.
    const time = NOW - 20 * DAY + Math.floor(i / 4) * 97_000 + (rnd(3) === 0 ? 0 : rnd(1000));
    const [provider, model] = MODELS[rnd(MODELS.length)]!;
    const feature = NAMES[rnd(NAMES.length)];
    const org = rnd(5) === 0 ? null : `org-${rnd(2)}`;
    const service = rnd(3) === 0 ? null : NAMES[rnd(NAMES.length)];
    const outcome = ['ok', 'ok', 'ok', 'error', 'blocked'][rnd(5)]!;
    const finish = FINISH[rnd(FINISH.length)];
    const fingerprint = rnd(6) === 0 ? undefined : {
      prefix_hash: `${rnd(4)}`.padStart(16, 'a'), request_hash: `${rnd(40)}`.padStart(16, 'b'), prefix_tokens: [500, 1024, 2048, 6000][rnd(4)],
      ...(rnd(3) === 0 ? {} : { max_output_tokens: 100 + rnd(900) }), ...(finish === null ? {} : { finish_reason: finish }),
    };
    const blocked = outcome === 'blocked';
    out.push(wire(time, {
      ...(org === null ? {} : { org }), ...(feature === null ? {} : { feature }), ...(service === null ? {} : { service }),
      ...(rnd(2) === 0 ? {} : { user: `u${rnd(7)}` }), ...(rnd(3) === 0 ? {} : { stream: rnd(2) === 0 }),
      ...(rnd(8) === 0 ? { service_tier: 'batch' } : {}),
      provider, request_model: model, outcome, ...(outcome === 'error' ? { error_type: ['timeout', '500', 'rate_limit'][rnd(3)] } : {}),
      tokens: blocked ? { input: 0, output: 0, cache_read: 0, cache_write: 0, reasoning: 0 }
        : { input: 100 + rnd(5000), output: rnd(800), cache_read: rnd(3) === 0 ? rnd(2000) : 0, cache_write: rnd(4) === 0 ? rnd(1500) : 0, reasoning: rnd(2) === 0 ? rnd(300) : 0 },
      ...(fingerprint === undefined ? {} : { fingerprint }),
    }));
  }
  return out;
}

/** Order-free form of the aggregates (repeated prefixes keep their order: the caching detector's ties follow it). */
function canonical(a: DetectorAggregates): Record<string, unknown> {
  const sorted = <T>(xs: readonly T[]): string[] => xs.map((v) => JSON.stringify(v)).sort();
  return { subjects: sorted(a.subjects), hours: sorted(a.hours), duplicates: sorted(a.duplicates), truncation: sorted(a.truncation), prefixes: a.prefixes };
}

describe('recommendations: one scan of the window on SQLite', () => {
  const servers: TestServer[] = [];
  afterEach(async () => {
    for (const t of servers.splice(0)) await t.stop();
  });

  it('gives the four GROUP BYs answers, for any page size, slice and batchable list', async () => {
    const t = await startTestServer({ now: NOW });
    servers.push(t);
    const records = [...cachingWorkload(), ...nightlyWorkload(), ...simpleWorkload(), ...efficiencyWorkload(), ...awkwardWorkload(3000)];
    for (let i = 0; i < records.length; i += 500) {
      const r = await t.json('POST', '/api/v1/usage', { records: records.slice(i, i + 500) }, 'ingest');
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.rejected ?? []).toEqual([]);
    }
    const scan = readQueryOf(t.cp);
    expect(scan.dialect).toBe('sqlite');
    // Without a dialect the engine runs the four queries.
    const fourQueries: ReadQuery = (sql, params) => scan(sql, params);
    const slices: LedgerSlice[] = [
      { fromMs: NOW - 30 * DAY, toMs: NOW },
      { fromMs: NOW - 15 * DAY + 12_345, toMs: NOW - 3 * DAY },
      { fromMs: NOW - 30 * DAY, toMs: NOW, scope: 'feature', subject: 'alpha' },
      { fromMs: NOW - 30 * DAY, toMs: NOW, filters: { org: 'org-1', provider: 'openai' } },
      { fromMs: NOW - 400 * DAY, toMs: NOW - 100 * DAY },
    ];
    for (const slice of slices) {
      for (const batchable of [[], ['alpha', '\u{1F600}smile', 'nightly-report']]) {
        const expected = await windowAggregates(fourQueries, slice, batchable);
        if (slice.fromMs === NOW - 30 * DAY && slice.scope === undefined && slice.filters === undefined) {
          // The generated ledger reaches every aggregate.
          for (const list of Object.values(expected)) expect(list.length).toBeGreaterThan(3);
        }
        for (const pageRows of [1, 7, 250, 20_000]) {
          const got = await scanWindow(scan, slice, batchable, pageRows);
          expect(canonical(got), `${JSON.stringify(slice)} ${batchable.join(',')} page ${pageRows}`).toEqual(canonical(expected));
        }
        expect(canonical(await windowAggregates(scan, slice, batchable))).toEqual(canonical(expected));
      }
    }
  });

  it('orders text as SQLite does (code points, not UTF-16 units)', () => {
    const samples = ['', 'a', 'ab', 'b', '\uE000', '\uFFFF', '\u{1F600}', '\u{10000}', 'a\u{1F600}', 'a\uE000', 'Z', '\u00e9'];
    for (const a of samples) {
      for (const b of samples) expect(binaryLess(a, b), `${JSON.stringify(a)} < ${JSON.stringify(b)}`).toBe(Buffer.compare(Buffer.from(a), Buffer.from(b)) < 0);
    }
  });
});
