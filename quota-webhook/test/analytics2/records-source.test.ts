import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { LEDGER_SPAN_SQL, recordsSource, type ReadQuery } from '../../src/analytics/ledger-sql.js';
import { recordsTableSql } from '../../src/store/schema.js';
import type { SqlRow } from '../../src/store/types.js';

function sqliteReader(): { db: DatabaseSync; q: ReadQuery } {
  const db = new DatabaseSync(':memory:');
  db.exec(recordsTableSql('sqlite'));
  const q = Object.assign(async (sql: string, params: ReadonlyArray<string | number>) => db.prepare(sql).all(...params) as SqlRow[], { dialect: 'sqlite' as const });
  return { db, q };
}

function insertAt(db: DatabaseSync, timeMs: number): void {
  db.prepare(`INSERT INTO records (id, time_ms, provider, operation, input, output, cache_read, cache_write, reasoning, tokens, outcome, latency_ms, source, ingested_ms)
    VALUES (?, ?, 'openai', 'chat', 1, 1, 0, 0, 0, 2, 'ok', 1, 'sdk', 0)`).run(`r${timeMs}`, timeMs);
}

describe('recordsSource (SQLite reads a slice over most of the ledger by a table scan)', () => {
  it('scans when the slice covers more than half of the ledger span, uses the time index otherwise', async () => {
    const { db, q } = sqliteReader();
    expect(await recordsSource(q, { fromMs: 0, toMs: 1000 })).toBe('records'); // empty ledger
    for (let t = 0; t < 1000; t += 10) insertAt(db, t);
    expect(await recordsSource(q, { fromMs: 0, toMs: 1000 })).toBe('records NOT INDEXED');
    expect(await recordsSource(q, { fromMs: -5000, toMs: 5000 })).toBe('records NOT INDEXED');
    expect(await recordsSource(q, { fromMs: 300, toMs: 900 })).toBe('records NOT INDEXED');
    expect(await recordsSource(q, { fromMs: 0, toMs: 400 })).toBe('records');
    expect(await recordsSource(q, { fromMs: 2000, toMs: 3000 })).toBe('records');
    // The two sources plan differently and read the same rows.
    const sql = (from: string): string => `SELECT COUNT(*) AS n, SUM(time_ms) AS s FROM ${from} WHERE time_ms >= 0 AND time_ms < 1000`;
    const plan = (from: string): string => (db.prepare(`EXPLAIN QUERY PLAN ${sql(from)}`).all() as Array<{ detail: string }>).map((r) => r.detail).join(' ');
    expect(plan('records NOT INDEXED')).toMatch(/^SCAN records/);
    expect(plan('records')).toMatch(/records_time/);
    expect(db.prepare(sql('records NOT INDEXED')).get()).toEqual(db.prepare(sql('records')).get());
    // The span costs two probes of an index end, not a walk of the index.
    const span = (db.prepare(`EXPLAIN QUERY PLAN ${LEDGER_SPAN_SQL}`).all() as Array<{ detail: string }>).map((r) => r.detail);
    expect(span.filter((d) => /SEARCH records USING COVERING INDEX records_time/.test(d))).toHaveLength(2);
    expect(span.filter((d) => /^SCAN records/.test(d))).toEqual([]);
  });

  it('leaves Postgres and readers of unknown dialect to their planner', async () => {
    const q: ReadQuery = Object.assign(async () => [], { dialect: 'postgres' as const });
    expect(await recordsSource(q, { fromMs: 0, toMs: 1000 })).toBe('records');
    expect(await recordsSource(async () => [{ lo: 0, hi: 999 }], { fromMs: 0, toMs: 1000 })).toBe('records');
  });
});
