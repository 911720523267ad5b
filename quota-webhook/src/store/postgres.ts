/**
 * Postgres store (`TOKENMETER_DB_URL=postgres://…`, pg Pool). The ledger is
 * range-partitioned by month on `time_ms`; its primary key is (id, time_ms)
 * because a partitioned table's unique keys must contain the partition key.
 * Idempotency is by id alone, as on SQLite: `record_ids` (unpartitioned, id
 * primary key) claims each id first, so a replay that carries another time
 * is still a duplicate. Claims, inserts and total upserts are one statement
 * each per batch (`unnest`).
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { QuotaPeriod, QuotaScope } from '@tokenmeter/instrumentation/protocol';
import { auditFrom, groupRowFrom, ledgerRowFrom, mergeRollup, mergeTotal, rollupKey, rollupRowFrom, totalKey, totalRowFrom } from './rows.js';
import {
  LEDGER_COLUMNS, ROLLUP_SUMS, addMoneySql, columnSql, pgArrayType, recordsTableSql, rollupTableSql, sideTablesSql, splitMoney, totalsTableSql,
} from './schema.js';
import { rollupValues } from './sqlite.js';
import { GROUP_SELECT, ORDER_BY_COST, RECORD_COLUMNS, groupExpr, numbered, recordValues, whereClause } from './sql.js';
import type {
  AuditEntry, AuditFilter, DeltaFn, GroupBy, GroupRow, IngestOutcome, LedgerRow, ReadOptions, StoreChange, StoreWatch, RecordFilter, RollupQuery, RollupRow, SqlRow, Store, TotalRow,
} from './types.js';

/** `unnest(…)` parameters for one array per record column: `$1::text[], $2::bigint[], …`. */
export const UNNEST_RECORD_PARAMS = LEDGER_COLUMNS.map((c, i) => `$${i + 1}::${pgArrayType(c)}`).join(', ');

const SCHEMA = `${recordsTableSql('postgres')}
CREATE TABLE IF NOT EXISTS record_ids (id TEXT PRIMARY KEY);
${totalsTableSql('postgres')}${rollupTableSql('postgres')}${sideTablesSql('postgres')}`;

/** The LISTEN/NOTIFY channel replicas share. */
const CHANNEL = 'tokenmeter_changes';

/**
 * How `readQuery` runs (its own read-only transaction; SET LOCAL ends with
 * it). JIT off: over a month-partitioned ledger it compiles a function set
 * per partition (about 230 ms for a 13-month GROUP BY) and the scan gains
 * less. work_mem 64 MB: the planner estimates many more groups than an
 * analytics GROUP BY yields, and with the default 4 MB it sorts 1 M rows on
 * disk instead of hashing (hash aggregation spills to disk past its memory).
 */
const READ_SETTINGS = "BEGIN READ ONLY; SET LOCAL jit = off; SET LOCAL work_mem = '64MB'";

const ROLLUP_COLUMNS = ['scope', 'subject', 'bucket_ms', ...ROLLUP_SUMS] as const;
const ROLLUP_TYPES = ['text', 'text', 'bigint', ...ROLLUP_SUMS.map((c) => (c === 'latency_ms_sum' ? 'double precision' : 'bigint'))];

function monthStart(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

type Param = string | number | bigint | null;
const param = (v: Param): string | number | null => (typeof v === 'bigint' ? v.toString() : v);

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  private readonly _pool: pg.Pool;
  private readonly _partitions = new Set<number>();
  private _closed = false;
  private _init: Promise<{ rebuild: boolean }> | undefined;
  private readonly _instance = randomUUID();
  private readonly _watchers = new Set<() => void>();

  constructor(private readonly _url: string, options: { max?: number } = {}) {
    this._pool = new pg.Pool({ connectionString: _url, max: options.max ?? 8 });
    this._pool.on('error', () => {
      // Idle-client errors (server restart) surface again on the next query; nothing to do here.
    });
  }

  /** Creates the schema, or migrates an older one (new record columns; totals and rollup rebuilt from the records). */
  init(): Promise<{ rebuild: boolean }> {
    return (this._init ??= this._migrate());
  }

  private async _migrate(): Promise<{ rebuild: boolean }> {
    const c = await this._pool.connect();
    try {
      // Replicas starting together create the schema one at a time.
      await c.query('SELECT pg_advisory_lock(74700001)');
      try {
        const columns = async (table: string): Promise<Set<string>> => new Set((await c.query<{ column_name: string }>(
          'SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1', [table])).rows.map((r) => r.column_name));
        const recordCols = await columns('records');
        let rebuild = false;
        if (recordCols.size > 0) {
          for (const col of LEDGER_COLUMNS) if (!recordCols.has(col.name)) await c.query(`ALTER TABLE records ADD COLUMN IF NOT EXISTS ${columnSql(col, 'postgres')}`);
          // Totals from before split money (one 64-bit pico column) are rebuilt; so is a missing rollup.
          const totals = await columns('totals');
          if (totals.has('cost_pico')) await c.query('DROP TABLE totals');
          rebuild = (await columns('rollup')).size === 0 || !totals.has('cost_frac_pico');
        }
        await c.query(SCHEMA);
        // Databases from before `record_ids`: claim the ids already in the ledger, once.
        const done = await c.query("SELECT 1 FROM meta WHERE key = 'record_ids_backfilled'");
        if (done.rowCount === 0) {
          await c.query('INSERT INTO record_ids (id) SELECT id FROM records ON CONFLICT DO NOTHING');
          await c.query("INSERT INTO meta (key, value) VALUES ('record_ids_backfilled', '1') ON CONFLICT (key) DO NOTHING");
        }
        return { rebuild };
      } finally {
        await c.query('SELECT pg_advisory_unlock(74700001)');
      }
    } finally {
      c.release();
    }
  }

  async close(): Promise<void> {
    if (this._closed) return;
    this._closed = true;
    for (const stop of [...this._watchers]) stop();
    await this._pool.end();
  }

  private async _ensurePartitions(rows: readonly LedgerRow[]): Promise<void> {
    const months = new Set<number>();
    for (const r of rows) {
      const m = monthStart(r.time_ms);
      if (!this._partitions.has(m)) months.add(m);
    }
    for (const m of months) {
      const d = new Date(m);
      const next = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
      const name = `records_${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
      try {
        await this._pool.query(`CREATE TABLE IF NOT EXISTS ${name} PARTITION OF records FOR VALUES FROM (${m}) TO (${next})`);
      } catch (error) {
        // Another replica created it at the same moment.
        const code = (error as { code?: string }).code;
        if (code !== '42P07' && code !== '23505') throw error;
      }
      this._partitions.add(m);
    }
  }

  /** Adds the deltas to the totals; with `returning`, answers the new rows. */
  private async _addTotals(c: pg.PoolClient, deltas: readonly TotalRow[], returning = false): Promise<TotalRow[]> {
    if (deltas.length === 0) return [];
    // A stable order keeps concurrent batches from deadlocking on the same rows.
    const sorted = [...deltas].sort((a, b) => (totalKey(a) < totalKey(b) ? -1 : 1));
    const cols: Param[][] = [[], [], [], [], [], [], [], [], [], []];
    for (const d of sorted) {
      const v: Param[] = [d.period, d.tz, d.window_start, d.scope, d.org, d.subject, d.requests, d.tokens, ...splitMoney(d.cost_pico)];
      v.forEach((x, i) => cols[i]!.push(param(x)));
    }
    const r = await c.query(`INSERT INTO totals (period, tz, window_start, scope, org, subject, requests, tokens, cost_whole_usd, cost_frac_pico)
      SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[])
      ON CONFLICT (period, tz, window_start, scope, org, subject) DO UPDATE SET requests = totals.requests + excluded.requests,
      tokens = totals.tokens + excluded.tokens, ${addMoneySql('totals')}${returning ? ' RETURNING *' : ''}`, cols);
    return returning ? r.rows.map(totalRowFrom) : [];
  }

  private async _addRollup(c: pg.PoolClient, deltas: readonly RollupRow[]): Promise<void> {
    if (deltas.length === 0) return;
    const sorted = [...deltas].sort((a, b) => (rollupKey(a) < rollupKey(b) ? -1 : 1));
    const cols: Param[][] = ROLLUP_COLUMNS.map(() => []);
    for (const d of sorted) rollupValues(d).forEach((x, i) => cols[i]!.push(param(x)));
    const sums = ROLLUP_SUMS.filter((s) => !s.startsWith('cost_')).map((s) => `${s} = rollup.${s} + excluded.${s}`).join(', ');
    await c.query(`INSERT INTO rollup (${ROLLUP_COLUMNS.join(', ')})
      SELECT * FROM unnest(${ROLLUP_COLUMNS.map((_, i) => `$${i + 1}::${ROLLUP_TYPES[i]}[]`).join(', ')})
      ON CONFLICT (scope, subject, bucket_ms) DO UPDATE SET ${sums}, ${addMoneySql('rollup')}`, cols);
  }

  private async _tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this._pool.connect();
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (error) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      c.release();
    }
  }

  async ingest(rows: readonly LedgerRow[], deltas: DeltaFn, options: { returnTotals?: boolean } = {}): Promise<IngestOutcome> {
    if (rows.length === 0) return { accepted: 0, duplicates: 0, ...(options.returnTotals ? { totals: [] } : {}) };
    await this._ensurePartitions(rows);
    return this._tx(async (c) => {
      // Claim the ids (a concurrent batch with the same id waits here for this one to commit or roll back).
      const claimed = await c.query<{ id: string }>('INSERT INTO record_ids (id) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING RETURNING id', [rows.map((r) => r.id)]);
      const ids = new Set(claimed.rows.map((r) => r.id));
      const inserted = rows.filter((r) => ids.has(r.id));
      let totals: TotalRow[] = [];
      if (inserted.length > 0) {
        const cols: Param[][] = RECORD_COLUMNS.map(() => []);
        for (const r of inserted) recordValues(r).forEach((v, i) => cols[i]!.push(param(v)));
        await c.query(`INSERT INTO records (${RECORD_COLUMNS.join(', ')}) SELECT * FROM unnest(${UNNEST_RECORD_PARAMS})`, cols);
        const d = deltas(inserted);
        totals = await this._addTotals(c, d.totals, options.returnTotals === true);
        await this._addRollup(c, d.rollup);
      }
      return { accepted: inserted.length, duplicates: rows.length - inserted.length, ...(options.returnTotals ? { totals } : {}) };
    });
  }

  async windowTotals(period: QuotaPeriod, tz: string, windowStart: number, scope: QuotaScope): Promise<TotalRow[]> {
    const r = await this._pool.query('SELECT * FROM totals WHERE period = $1 AND tz = $2 AND window_start = $3 AND scope = $4', [period, tz, windowStart, scope]);
    return r.rows.map(totalRowFrom);
  }

  async windowsTotals(windows: ReadonlyArray<{ period: QuotaPeriod; tz: string; window_start: number }>): Promise<TotalRow[]> {
    if (windows.length === 0) return [];
    // Only the columns the window does not fix (plus its ordinal), as arrays: the 10,000 rows of a month's
    // users parse in a fraction of the time of `t.*` as objects.
    const r = await this._pool.query<[string, QuotaScope, string, string, string, string, string, string]>({
      text: `SELECT w.i, t.scope, t.org, t.subject, t.requests, t.tokens, t.cost_whole_usd, t.cost_frac_pico FROM totals t
       JOIN unnest($1::text[], $2::text[], $3::bigint[]) WITH ORDINALITY AS w(period, tz, window_start, i)
       ON t.period = w.period AND t.tz = w.tz AND t.window_start = w.window_start`,
      values: [windows.map((w) => w.period), windows.map((w) => w.tz), windows.map((w) => w.window_start)],
      rowMode: 'array',
    });
    return r.rows.map(([i, scope, org, subject, requests, tokens, whole, frac]) => {
      const w = windows[Number(i) - 1]!;
      return {
        period: w.period, tz: w.tz, window_start: w.window_start, scope, org, subject,
        requests: Number(requests), tokens: BigInt(tokens), cost_pico: BigInt(whole) * 1_000_000_000_000n + BigInt(frac),
      };
    });
  }

  async rebuildTotals(tzs: readonly string[], compute: DeltaFn, options: { rollup?: boolean } = {}): Promise<{ records: number; totals: number }> {
    return this._tx(async (c) => {
      // Block ingest while the totals are replaced so no batch lands between the read and the write.
      await c.query('LOCK TABLE totals IN EXCLUSIVE MODE');
      await c.query('DELETE FROM totals WHERE tz = ANY($1::text[])', [tzs]);
      if (options.rollup) {
        await c.query('LOCK TABLE rollup IN EXCLUSIVE MODE');
        await c.query('DELETE FROM rollup');
      }
      const acc = new Map<string, TotalRow>();
      const rollup = new Map<string, RollupRow>();
      let records = 0;
      let after: { time_ms: number; id: string } | undefined;
      for (;;) {
        const page = after
          ? await c.query('SELECT * FROM records WHERE (time_ms, id) > ($1, $2) ORDER BY time_ms, id LIMIT 5000', [after.time_ms, after.id])
          : await c.query('SELECT * FROM records ORDER BY time_ms, id LIMIT 5000');
        if (page.rows.length === 0) break;
        const rows = page.rows.map(ledgerRowFrom);
        records += rows.length;
        const d = compute(rows);
        for (const t of d.totals) mergeTotal(acc, t);
        if (options.rollup) for (const x of d.rollup) mergeRollup(rollup, x);
        const last = rows[rows.length - 1]!;
        after = { time_ms: last.time_ms, id: last.id };
      }
      const all = [...acc.values()];
      for (let i = 0; i < all.length; i += 5000) await this._addTotals(c, all.slice(i, i + 5000));
      const ups = [...rollup.values()];
      for (let i = 0; i < ups.length; i += 5000) await this._addRollup(c, ups.slice(i, i + 5000));
      return { records, totals: acc.size };
    });
  }

  async rollup(q: RollupQuery): Promise<RollupRow[]> {
    const r = q.subject === undefined
      ? await this._pool.query('SELECT * FROM rollup WHERE scope = $1 AND bucket_ms >= $2 AND bucket_ms < $3 ORDER BY bucket_ms, subject', [q.scope, q.from, q.to])
      : await this._pool.query('SELECT * FROM rollup WHERE scope = $1 AND subject = $2 AND bucket_ms >= $3 AND bucket_ms < $4 ORDER BY bucket_ms', [q.scope, q.subject, q.from, q.to]);
    return r.rows.map(rollupRowFrom);
  }

  async readQuery(sql: string, params: ReadonlyArray<string | number | bigint | null> = [], options: ReadOptions = {}): Promise<SqlRow[]> {
    if (!/^\s*(SELECT|WITH)\b/i.test(sql)) throw new Error('readQuery: only SELECT (or WITH … SELECT) statements');
    const c = await this._pool.connect();
    try {
      await c.query(options.preferHash ? `${READ_SETTINGS}; SET LOCAL enable_sort = off` : READ_SETTINGS);
      const rows = (await c.query(numbered(sql), params.map((p) => param(p)))).rows as SqlRow[];
      await c.query('COMMIT');
      return rows;
    } catch (error) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      c.release();
    }
  }

  async allTotals(tzs?: readonly string[]): Promise<TotalRow[]> {
    const r = tzs ? await this._pool.query('SELECT * FROM totals WHERE tz = ANY($1::text[])', [tzs]) : await this._pool.query('SELECT * FROM totals');
    return r.rows.map(totalRowFrom);
  }

  async queryRecords(filter: RecordFilter, limit: number, after?: { time_ms: number; id: string }): Promise<LedgerRow[]> {
    // Past a cursor, the time range starts at the cursor: the index walk begins there, not at `from`.
    const w = whereClause(after ? { ...filter, from: Math.max(filter.from ?? after.time_ms, after.time_ms) } : filter);
    let sql = `SELECT * FROM records${w.sql}`;
    const params: Array<string | number> = [...w.params];
    if (after) {
      sql += `${w.sql === '' ? ' WHERE' : ' AND'} (time_ms, id) > (?, ?)`;
      params.push(after.time_ms, after.id);
    }
    sql += ' ORDER BY time_ms, id LIMIT ?';
    params.push(limit);
    return (await this._pool.query(numbered(sql), params)).rows.map(ledgerRowFrom);
  }

  async groupRecords(filter: RecordFilter, groupBy: GroupBy, limit: number): Promise<GroupRow[]> {
    const w = whereClause(filter);
    const expr = groupExpr(groupBy);
    const sql = `SELECT ${expr} AS key, ${GROUP_SELECT} FROM records${w.sql} GROUP BY ${expr} ORDER BY ${ORDER_BY_COST.postgres}, key LIMIT ?`;
    return (await this._pool.query(numbered(sql), [...w.params, limit])).rows.map(groupRowFrom);
  }

  async countRecords(): Promise<number> {
    return Number((await this._pool.query('SELECT COUNT(*) AS n FROM records')).rows[0].n);
  }

  async hasRecordIds(ids: readonly string[]): Promise<Set<string>> {
    const r = await this._pool.query<{ id: string }>('SELECT id FROM records WHERE id = ANY($1::text[])', [ids]);
    return new Set(r.rows.map((x) => x.id));
  }

  async updateCosts(updates: ReadonlyArray<{ id: string; cost_pico: bigint | null; price_id: string | null }>): Promise<void> {
    if (updates.length === 0) return;
    await this._pool.query(
      `UPDATE records r SET cost_pico = u.cost_pico, price_id = u.price_id
       FROM unnest($1::text[], $2::bigint[], $3::text[]) AS u(id, cost_pico, price_id) WHERE r.id = u.id`,
      [updates.map((u) => u.id), updates.map((u) => (u.cost_pico === null ? null : u.cost_pico.toString())), updates.map((u) => u.price_id)]);
  }

  async listEntities<T>(kind: string): Promise<Array<{ id: string; value: T }>> {
    const r = await this._pool.query<{ id: string; value: string }>('SELECT id, value FROM entities WHERE kind = $1 ORDER BY id', [kind]);
    return r.rows.map((x) => ({ id: x.id, value: JSON.parse(x.value) as T }));
  }

  async getEntity<T>(kind: string, id: string): Promise<T | undefined> {
    const r = await this._pool.query<{ value: string }>('SELECT value FROM entities WHERE kind = $1 AND id = $2', [kind, id]);
    return r.rows[0] ? (JSON.parse(r.rows[0].value) as T) : undefined;
  }

  // Entity writes notify the other replicas in the same statement: the notification is delivered at commit, with the write.
  async putEntity(kind: string, id: string, value: unknown): Promise<void> {
    await this._pool.query(`WITH w AS (INSERT INTO entities (kind, id, value) VALUES ($1, $2, $3) ON CONFLICT (kind, id) DO UPDATE SET value = excluded.value RETURNING 1)
      SELECT pg_notify($4, $5) FROM w`, [kind, id, JSON.stringify(value), CHANNEL, this._payload(kind, id)]);
  }

  async deleteEntity(kind: string, id: string): Promise<boolean> {
    const r = await this._pool.query(`WITH d AS (DELETE FROM entities WHERE kind = $1 AND id = $2 RETURNING 1)
      SELECT pg_notify($3, $4) FROM d`, [kind, id, CHANNEL, this._payload(kind, id)]);
    return (r.rowCount ?? 0) > 0;
  }

  async publish(kind: string, id: string): Promise<void> {
    await this._pool.query('SELECT pg_notify($1, $2)', [CHANNEL, this._payload(kind, id)]);
  }

  /** `instance|kind|id`: a replica ignores its own notifications. */
  private _payload(kind: string, id: string): string {
    return `${this._instance}|${kind}|${id}`;
  }

  watch(listener: (change: StoreChange) => void, onResync: () => void): StoreWatch {
    let client: pg.Client | undefined;
    let listening!: () => void;
    const firstListen = new Promise<void>((resolve) => (listening = resolve));
    let stopped = false;
    let delay = 500;
    let timer: NodeJS.Timeout | undefined;
    const connect = async (first: boolean): Promise<void> => {
      if (stopped) return;
      const c = new pg.Client({ connectionString: this._url });
      c.on('notification', (n) => {
        if (n.channel !== CHANNEL || n.payload === undefined) return;
        const [instance, kind, ...rest] = n.payload.split('|');
        if (instance === this._instance || kind === undefined) return;
        listener({ kind, id: rest.join('|') });
      });
      c.on('error', () => reconnect());
      c.on('end', () => reconnect());
      try {
        await c.connect();
        await c.query(`LISTEN ${CHANNEL}`);
      } catch {
        void c.end().catch(() => undefined); // the error is the reason to retry
        reconnect();
        listening(); // the caller loads without; the reconnect resyncs
        return;
      }
      if (stopped) {
        await c.end().catch(() => undefined);
        return;
      }
      client = c;
      delay = 500;
      // Notifications sent while no connection listened are lost: reload everything after a reconnect
      // (the first time, the caller loads once `listening` settles).
      if (first) listening();
      else onResync();
    };
    const reconnect = (): void => {
      if (stopped || timer !== undefined) return;
      const old = client;
      client = undefined;
      void old?.end().catch(() => undefined); // already broken
      timer = setTimeout(() => {
        timer = undefined;
        void connect(false); // failures reschedule themselves
      }, delay);
      timer.unref();
      delay = Math.min(delay * 2, 10_000);
    };
    void connect(true); // failures reschedule themselves
    const stop = (): void => {
      stopped = true;
      if (timer) clearTimeout(timer);
      void client?.end().catch(() => undefined); // closing
      this._watchers.delete(stop);
    };
    this._watchers.add(stop);
    return { stop, listening: firstListen };
  }

  async incrementMeta(key: string): Promise<number> {
    const r = await this._pool.query<{ value: string }>(`INSERT INTO meta (key, value) VALUES ($1, '1')
      ON CONFLICT (key) DO UPDATE SET value = (meta.value::bigint + 1)::text RETURNING value`, [key]);
    return Number(r.rows[0]!.value);
  }

  async appendAudit(e: AuditEntry): Promise<number> {
    const r = await this._pool.query<{ id: string }>(
      'INSERT INTO audit (time_ms, kind, action, actor, subject, reason, data) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id',
      [e.time_ms, e.kind, e.action, e.actor, e.subject, e.reason, e.data === undefined ? null : JSON.stringify(e.data)]);
    return Number(r.rows[0]!.id);
  }

  async listAudit(f: AuditFilter): Promise<AuditEntry[]> {
    const parts: string[] = [];
    const params: Array<string | number> = [];
    if (f.from !== undefined) { parts.push('time_ms >= ?'); params.push(f.from); }
    if (f.to !== undefined) { parts.push('time_ms < ?'); params.push(f.to); }
    if (f.kind !== undefined) { parts.push('kind = ?'); params.push(f.kind); }
    const where = parts.length > 0 ? ` WHERE ${parts.join(' AND ')}` : '';
    return (await this._pool.query(numbered(`SELECT * FROM audit${where} ORDER BY id LIMIT ?`), [...params, f.limit ?? 1000])).rows.map(auditFrom);
  }

  async claim(key: string, nowMs: number, untilMs: number): Promise<boolean> {
    const r = await this._pool.query(`INSERT INTO claims (key, until_ms) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET until_ms = excluded.until_ms
      WHERE claims.until_ms <= $3 RETURNING key`, [key, untilMs, nowMs]);
    return r.rowCount === 1;
  }

  async pruneClaims(nowMs: number): Promise<number> {
    return (await this._pool.query('DELETE FROM claims WHERE until_ms <= $1', [nowMs])).rowCount ?? 0;
  }

  async getMeta(key: string): Promise<string | undefined> {
    const r = await this._pool.query<{ value: string }>('SELECT value FROM meta WHERE key = $1', [key]);
    return r.rows[0]?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this._pool.query('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
  }

  async ping(): Promise<void> {
    await this._pool.query('SELECT 1');
  }
}
