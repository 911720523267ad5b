/**
 * A database written by 0.1.0 (records without project/fingerprint columns,
 * totals in one 64-bit pico-USD column, no rollup) opens in place: the new
 * columns are added, totals and rollup are rebuilt from the records.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startTestServer } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'tokenmeter-migrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The 0.1.0 schema, verbatim. */
const V1 = `
CREATE TABLE records (
  id TEXT PRIMARY KEY, time_ms INTEGER NOT NULL, org TEXT, department TEXT, user_id TEXT, feature TEXT,
  investigation TEXT, session_id TEXT, provider TEXT NOT NULL, operation TEXT NOT NULL, request_model TEXT,
  response_model TEXT, service_tier TEXT, input INTEGER NOT NULL, output INTEGER NOT NULL, cache_read INTEGER NOT NULL,
  cache_write INTEGER NOT NULL, reasoning INTEGER NOT NULL, tokens INTEGER NOT NULL, cost_pico INTEGER, price_id TEXT,
  sender_cost_usd TEXT, outcome TEXT NOT NULL, error_type TEXT, latency_ms REAL NOT NULL, source TEXT NOT NULL,
  service TEXT, ingested_ms INTEGER NOT NULL
);
CREATE TABLE totals (
  period TEXT NOT NULL, tz TEXT NOT NULL, window_start INTEGER NOT NULL, scope TEXT NOT NULL, org TEXT NOT NULL,
  subject TEXT NOT NULL, requests INTEGER NOT NULL, tokens INTEGER NOT NULL, cost_pico INTEGER NOT NULL,
  PRIMARY KEY (period, tz, window_start, scope, org, subject)
) WITHOUT ROWID;
CREATE TABLE entities (kind TEXT NOT NULL, id TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (kind, id)) WITHOUT ROWID;
CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, time_ms INTEGER NOT NULL, kind TEXT NOT NULL, action TEXT NOT NULL,
  actor TEXT NOT NULL, subject TEXT, reason TEXT, data TEXT);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO records VALUES ('old-1', ${Date.parse('2026-03-15T10:00:00Z')}, 'acme', 'eng', 'ann', 'chat', NULL, NULL, 'openai', 'chat', 'gpt-4o', NULL, NULL,
  1000, 500, 0, 0, 0, 1500, 7500000000, 'openai/gpt-4o', NULL, 'ok', NULL, 12, 'sdk', NULL, 0);
INSERT INTO totals VALUES ('day', 'UTC', ${Date.parse('2026-03-15T00:00:00Z')}, 'user', 'acme', 'ann', 1, 1500, 7500000000);
`;

it('a 0.1.0 SQLite ledger is migrated in place: new columns, totals and rollup rebuilt from the records', async () => {
  const file = join(dir, 'v1.sqlite');
  const db = new DatabaseSync(file);
  db.exec(V1);
  db.close();
  const t = await startTestServer({ now: Date.parse('2026-03-15T12:00:00Z'), config: { dbUrl: `file:${file}` } });
  try {
    const [total] = await t.cp.store.windowTotals('day', 'UTC', Date.parse('2026-03-15T00:00:00Z'), 'user');
    expect(total).toMatchObject({ subject: 'ann', requests: 1, tokens: 1500n, cost_pico: 7_500_000_000n });
    const series = await t.cp.queries.series({ scope: 'department', subject: 'eng', from: 0, to: Date.parse('2026-03-16T00:00:00Z') });
    expect(series.map((s) => [s.requests, s.cost_pico])).toEqual([[1, 7_500_000_000n]]);
    const { body } = await t.json('GET', '/api/v1/usage', undefined, 'read');
    expect(body.records[0]).toMatchObject({ id: 'old-1', cost_usd: '0.0075' });
    expect(body.records[0].project).toBeUndefined();
    // New records carry the new columns.
    await t.json('POST', '/api/v1/usage', { records: [{
      id: 'new-1', time: '2026-03-15T11:00:00Z', provider: 'openai', operation: 'chat', request_model: 'gpt-4o', project: 'apollo', stream: true,
      tokens: { input: 10, output: 1 }, cost_usd: null, outcome: 'ok', latency_ms: 1, source: 'sdk',
      fingerprint: { prefix_hash: 'ab'.repeat(16), request_hash: 'cd'.repeat(16), prefix_tokens: 8, max_output_tokens: 64, finish_reason: 'stop' },
    }] }, 'ingest');
    const fresh = (await t.json('GET', '/api/v1/usage?project=apollo', undefined, 'read')).body.records;
    expect(fresh).toEqual([expect.objectContaining({ id: 'new-1', project: 'apollo', stream: true, fingerprint: { prefix_hash: 'ab'.repeat(16), request_hash: 'cd'.repeat(16), prefix_tokens: 8, max_output_tokens: 64, finish_reason: 'stop' } })]);
  } finally {
    await t.stop();
  }
});
