/**
 * SQLite store on `node:sqlite` (no native module). WAL journal; `synchronous`
 * FULL by default (an acknowledged batch survives SIGKILL and power loss;
 * NORMAL survives SIGKILL only). One connection, synchronous calls: every
 * transaction is atomic with respect to the event loop.
 */
import { availableParallelism } from 'node:os';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { QuotaPeriod, QuotaScope } from '@tokenmeter/instrumentation/protocol';
import { auditFrom, big, groupRowFrom, ledgerRowFrom, mergeRollup, mergeTotal, num, rollupRowFrom, totalRowFrom } from './rows.js';
import {
  LEDGER_COLUMNS, ROLLUP_SUMS, addMoneySql, columnSql, recordsTableSql, rollupTableSql, sideTablesSql, splitMoney, totalsTableSql,
} from './schema.js';
import { GROUP_SELECT, ORDER_BY_COST, RECORD_COLUMNS, groupExpr, recordValues, whereClause } from './sql.js';
import type {
  AuditEntry, AuditFilter, DeltaFn, GroupBy, GroupRow, IngestOutcome, LedgerRow, RecordFilter, RollupQuery, RollupRow, SqlRow, Store, StoreWatch, TotalRow,
} from './types.js';

/** The ledger's records table (the benches' bare-INSERT baseline uses it too). */
export const RECORDS_SCHEMA = recordsTableSql('sqlite');

/** Rollup upsert columns: the key, then the sums. */
const ROLLUP_COLUMNS = ['scope', 'subject', 'bucket_ms', ...ROLLUP_SUMS] as const;

/** The values of a rollup row in `ROLLUP_COLUMNS` order. */
export function rollupValues(r: RollupRow): Array<string | number | bigint> {
  const [whole, frac] = splitMoney(r.cost_pico);
  return [r.scope, r.subject, r.bucket_ms, r.requests, r.errors, r.blocked, r.fallback, r.input, r.output, r.cache_read,
    r.cache_write, r.reasoning, whole, frac, r.unpriced, r.latency_ms_sum];
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly _db: DatabaseSync;
  private readonly _stmts = new Map<string, StatementSync>();
  private _closed = false;
  private readonly _init: { rebuild: boolean };

  constructor(path: string, options: { synchronous?: 'full' | 'normal' } = {}) {
    this._db = new DatabaseSync(path);
    if (path !== ':memory:') this._db.exec('PRAGMA journal_mode = WAL');
    this._db.exec(`PRAGMA synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    this._db.exec('PRAGMA busy_timeout = 5000');
    // A large sort (an analytics GROUP BY over most of the ledger) may use helper threads: the query blocks
    // the event loop that much less (13-month allocation over 1 M records: ~1.04 → ~0.75 s on 2 cores).
    // node:sqlite is built with none by default; small sorts stay on the calling thread.
    this._db.exec(`PRAGMA threads = ${Math.min(4, availableParallelism())}`);
    this._init = this._migrate();
  }

  /** The schema was created or migrated by the constructor; `rebuild` = an older schema's derived tables must be rebuilt. */
  async init(): Promise<{ rebuild: boolean }> {
    return this._init;
  }

  /** Creates the schema, or migrates an older one (new record columns; totals and rollup rebuilt from the records). */
  private _migrate(): { rebuild: boolean } {
    let rebuild = false;
    const columns = (table: string): Set<string> =>
      new Set(this._db.prepare(`SELECT name FROM pragma_table_info('${table}')`).all().map((r) => String(r.name)));
    const recordCols = columns('records');
    this._tx(() => {
      if (recordCols.size > 0) {
        for (const c of LEDGER_COLUMNS) if (!recordCols.has(c.name)) this._db.exec(`ALTER TABLE records ADD COLUMN ${columnSql(c, 'sqlite')}`);
        // Totals from before split money (one 64-bit pico column) are rebuilt; so is a missing rollup.
        if (columns('totals').has('cost_pico')) this._db.exec('DROP TABLE totals');
        const hadRollup = columns('rollup').size > 0;
        rebuild = !hadRollup || !columns('totals').has('cost_frac_pico');
      }
      this._db.exec(`${recordsTableSql('sqlite')}${totalsTableSql('sqlite')}${rollupTableSql('sqlite')}${sideTablesSql('sqlite')}`);
    });
    return { rebuild };
  }

  async close(): Promise<void> {
    if (this._closed) return;
    this._closed = true;
    this._db.close();
  }

  private _stmt(sql: string): StatementSync {
    let s = this._stmts.get(sql);
    if (!s) {
      s = this._db.prepare(sql);
      s.setReadBigInts(true);
      this._stmts.set(sql, s);
    }
    return s;
  }

  private _tx<T>(fn: () => T): T {
    this._db.exec('BEGIN IMMEDIATE');
    try {
      const out = fn();
      this._db.exec('COMMIT');
      return out;
    } catch (error) {
      this._db.exec('ROLLBACK');
      throw error;
    }
  }

  /** Adds the deltas to the totals; with `returning`, answers the new rows. */
  private _addTotals(deltas: readonly TotalRow[], returning = false): TotalRow[] {
    const up = this._stmt(`INSERT INTO totals (period, tz, window_start, scope, org, subject, requests, tokens, cost_whole_usd, cost_frac_pico)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET requests = totals.requests + excluded.requests,
      tokens = totals.tokens + excluded.tokens, ${addMoneySql('totals')}${returning ? ' RETURNING *' : ''}`);
    const out: TotalRow[] = [];
    for (const d of deltas) {
      const params = [d.period, d.tz, d.window_start, d.scope, d.org, d.subject, d.requests, d.tokens, ...splitMoney(d.cost_pico)] as const;
      if (!returning) up.run(...params);
      else out.push(totalRowFrom(up.get(...params) as SqlRow));
    }
    return out;
  }

  private _addRollup(deltas: readonly RollupRow[]): void {
    const sums = ROLLUP_SUMS.filter((c) => !c.startsWith('cost_')).map((c) => `${c} = rollup.${c} + excluded.${c}`).join(', ');
    const up = this._stmt(`INSERT INTO rollup (${ROLLUP_COLUMNS.join(', ')}) VALUES (${ROLLUP_COLUMNS.map(() => '?').join(', ')})
      ON CONFLICT DO UPDATE SET ${sums}, ${addMoneySql('rollup')}`);
    for (const d of deltas) up.run(...rollupValues(d));
  }

  async ingest(rows: readonly LedgerRow[], deltas: DeltaFn, options: { returnTotals?: boolean } = {}): Promise<IngestOutcome> {
    const insert = this._stmt(`INSERT OR IGNORE INTO records (${RECORD_COLUMNS.join(', ')}) VALUES (${RECORD_COLUMNS.map(() => '?').join(', ')})`);
    return this._tx(() => {
      const inserted: LedgerRow[] = [];
      for (const r of rows) {
        if (Number(insert.run(...recordValues(r)).changes) === 1) inserted.push(r);
      }
      let totals: TotalRow[] | undefined;
      if (inserted.length > 0) {
        const d = deltas(inserted);
        totals = this._addTotals(d.totals, options.returnTotals === true);
        this._addRollup(d.rollup);
      }
      return { accepted: inserted.length, duplicates: rows.length - inserted.length, ...(options.returnTotals ? { totals: totals ?? [] } : {}) };
    });
  }

  async windowTotals(period: QuotaPeriod, tz: string, windowStart: number, scope: QuotaScope): Promise<TotalRow[]> {
    return this._stmt('SELECT * FROM totals WHERE period = ? AND tz = ? AND window_start = ? AND scope = ?')
      .all(period, tz, windowStart, scope).map(totalRowFrom);
  }

  async windowsTotals(windows: ReadonlyArray<{ period: QuotaPeriod; tz: string; window_start: number }>): Promise<TotalRow[]> {
    // Only the columns the window does not fix, as arrays where the runtime can (Node >= 24): reading the
    // 10,000 rows of a month's users this way takes a third of the time of `SELECT *` as objects.
    const s = this._stmt('SELECT scope, org, subject, requests, tokens, cost_whole_usd, cost_frac_pico FROM totals WHERE period = ? AND tz = ? AND window_start = ?');
    const arrays = typeof s.setReturnArrays === 'function';
    if (arrays) s.setReturnArrays(true);
    const out: TotalRow[] = [];
    for (const w of windows) {
      for (const r of s.all(w.period, w.tz, w.window_start)) {
        const [scope, org, subject, requests, tokens, whole, frac] = arrays ? (r as unknown as unknown[]) : Object.values(r);
        out.push({
          period: w.period, tz: w.tz, window_start: w.window_start, scope: scope as QuotaScope, org: String(org),
          subject: String(subject), requests: num(requests), tokens: big(tokens), cost_pico: big(whole) * 1_000_000_000_000n + big(frac),
        });
      }
    }
    return out;
  }

  async rebuildTotals(tzs: readonly string[], compute: DeltaFn, options: { rollup?: boolean } = {}): Promise<{ records: number; totals: number }> {
    return this._tx(() => {
      const del = this._stmt('DELETE FROM totals WHERE tz = ?');
      for (const tz of tzs) del.run(tz);
      if (options.rollup) this._db.exec('DELETE FROM rollup');
      const acc = new Map<string, TotalRow>();
      const rollup = new Map<string, RollupRow>();
      let records = 0;
      let page: LedgerRow[] = [];
      const flush = (): void => {
        const d = compute(page);
        for (const t of d.totals) mergeTotal(acc, t);
        if (options.rollup) for (const r of d.rollup) mergeRollup(rollup, r);
        page = [];
      };
      for (const r of this._stmt('SELECT * FROM records').iterate()) {
        page.push(ledgerRowFrom(r as SqlRow));
        records++;
        if (page.length >= 5000) flush();
      }
      flush();
      this._addTotals([...acc.values()]);
      this._addRollup([...rollup.values()]);
      return { records, totals: acc.size };
    });
  }

  async allTotals(tzs?: readonly string[]): Promise<TotalRow[]> {
    const rows = this._stmt('SELECT * FROM totals').all().map(totalRowFrom);
    return tzs ? rows.filter((r) => tzs.includes(r.tz)) : rows;
  }

  async rollup(q: RollupQuery): Promise<RollupRow[]> {
    const sql = q.subject === undefined
      ? 'SELECT * FROM rollup WHERE scope = ? AND bucket_ms >= ? AND bucket_ms < ? ORDER BY bucket_ms, subject'
      : 'SELECT * FROM rollup WHERE scope = ? AND subject = ? AND bucket_ms >= ? AND bucket_ms < ? ORDER BY bucket_ms';
    const params = q.subject === undefined ? [q.scope, q.from, q.to] : [q.scope, q.subject, q.from, q.to];
    return this._stmt(sql).all(...params).map(rollupRowFrom);
  }

  async readQuery(sql: string, params: ReadonlyArray<string | number | bigint | null> = []): Promise<SqlRow[]> {
    const s = this._stmt(sql);
    if (!s.sourceSQL.trimStart().match(/^(SELECT|WITH)\b/i)) throw new Error('readQuery: only SELECT (or WITH … SELECT) statements');
    return s.all(...params) as SqlRow[];
  }

  async queryRecords(filter: RecordFilter, limit: number, after?: { time_ms: number; id: string }): Promise<LedgerRow[]> {
    // Past a cursor, the time range starts at the cursor: the index walk begins there, not at `from`.
    const w = whereClause(after ? { ...filter, from: Math.max(filter.from ?? after.time_ms, after.time_ms) } : filter);
    let sql = `SELECT * FROM records${w.sql}`;
    const params: Array<string | number> = [...w.params];
    if (after) {
      // A row value: the index range starts at the cursor, so each page costs the same however deep.
      sql += `${w.sql === '' ? ' WHERE' : ' AND'} (time_ms, id) > (?, ?)`;
      params.push(after.time_ms, after.id);
    }
    sql += ' ORDER BY time_ms, id LIMIT ?';
    params.push(limit);
    return this._stmt(sql).all(...params).map(ledgerRowFrom);
  }

  async groupRecords(filter: RecordFilter, groupBy: GroupBy, limit: number): Promise<GroupRow[]> {
    const w = whereClause(filter);
    const expr = groupExpr(groupBy);
    return this._stmt(`SELECT ${expr} AS key, ${GROUP_SELECT} FROM records${w.sql} GROUP BY ${expr} ORDER BY ${ORDER_BY_COST.sqlite}, key LIMIT ?`)
      .all(...w.params, limit).map(groupRowFrom);
  }

  async countRecords(): Promise<number> {
    return num(this._stmt('SELECT COUNT(*) AS n FROM records').get()?.n);
  }

  async hasRecordIds(ids: readonly string[]): Promise<Set<string>> {
    const s = this._stmt('SELECT id FROM records WHERE id = ?');
    const out = new Set<string>();
    for (const id of ids) if (s.get(id)) out.add(id);
    return out;
  }

  async updateCosts(updates: ReadonlyArray<{ id: string; cost_pico: bigint | null; price_id: string | null }>): Promise<void> {
    const s = this._stmt('UPDATE records SET cost_pico = ?, price_id = ? WHERE id = ?');
    this._tx(() => {
      for (const u of updates) s.run(u.cost_pico, u.price_id, u.id);
    });
  }

  async listEntities<T>(kind: string): Promise<Array<{ id: string; value: T }>> {
    return this._stmt('SELECT id, value FROM entities WHERE kind = ? ORDER BY id').all(kind)
      .map((r) => ({ id: String(r.id), value: JSON.parse(String(r.value)) as T }));
  }

  async getEntity<T>(kind: string, id: string): Promise<T | undefined> {
    const r = this._stmt('SELECT value FROM entities WHERE kind = ? AND id = ?').get(kind, id);
    return r ? (JSON.parse(String(r.value)) as T) : undefined;
  }

  async putEntity(kind: string, id: string, value: unknown): Promise<void> {
    this._stmt('INSERT INTO entities (kind, id, value) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value')
      .run(kind, id, JSON.stringify(value));
  }

  async deleteEntity(kind: string, id: string): Promise<boolean> {
    return Number(this._stmt('DELETE FROM entities WHERE kind = ? AND id = ?').run(kind, id).changes) > 0;
  }

  async appendAudit(e: AuditEntry): Promise<number> {
    const r = this._stmt('INSERT INTO audit (time_ms, kind, action, actor, subject, reason, data) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(e.time_ms, e.kind, e.action, e.actor, e.subject, e.reason, e.data === undefined ? null : JSON.stringify(e.data));
    return Number(r.lastInsertRowid);
  }

  async listAudit(f: AuditFilter): Promise<AuditEntry[]> {
    const parts: string[] = [];
    const params: Array<string | number> = [];
    if (f.from !== undefined) { parts.push('time_ms >= ?'); params.push(f.from); }
    if (f.to !== undefined) { parts.push('time_ms < ?'); params.push(f.to); }
    if (f.kind !== undefined) { parts.push('kind = ?'); params.push(f.kind); }
    const where = parts.length > 0 ? ` WHERE ${parts.join(' AND ')}` : '';
    return this._stmt(`SELECT * FROM audit${where} ORDER BY id LIMIT ?`).all(...params, f.limit ?? 1000).map(auditFrom);
  }

  async claim(key: string, nowMs: number, untilMs: number): Promise<boolean> {
    return this._stmt(`INSERT INTO claims (key, until_ms) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET until_ms = excluded.until_ms
      WHERE claims.until_ms <= ? RETURNING key`).all(key, untilMs, nowMs).length === 1;
  }

  async pruneClaims(nowMs: number): Promise<number> {
    return Number(this._stmt('DELETE FROM claims WHERE until_ms <= ?').run(nowMs).changes);
  }

  async incrementMeta(key: string): Promise<number> {
    const r = this._stmt(`INSERT INTO meta (key, value) VALUES (?, '1') ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(meta.value AS INTEGER) + 1 AS TEXT)
      RETURNING value`).get(key);
    return Number(r?.value);
  }

  /** One process per SQLite database: nobody else to hear from. */
  watch(): StoreWatch {
    return { stop: () => {}, listening: Promise.resolve() };
  }

  async publish(): Promise<void> {}

  async getMeta(key: string): Promise<string | undefined> {
    const r = this._stmt('SELECT value FROM meta WHERE key = ?').get(key);
    return r ? String(r.value) : undefined;
  }

  async setMeta(key: string, value: string): Promise<void> {
    this._stmt('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT DO UPDATE SET value = excluded.value').run(key, value);
  }

  async ping(): Promise<void> {
    this._stmt('SELECT 1').get();
  }
}
