/**
 * Exact aggregate reads for analytics: the rollup serves whole 15-minute
 * buckets, the records serve the partial buckets at the edges of a range,
 * so `[from, to)` can be any two instants (e.g. `to` = `as_of`) and the sums
 * still equal a scan of the records.
 */
import { costSum, num } from '../store/rows.js';
import { AGGREGATE_SELECT, SUBJECT_COLUMN } from '../store/sql.js';
import { ROLLUP_BUCKET_MS, type RollupRow, type RollupScope, type SqlRow, type Store } from '../store/types.js';
import { rollupBucket } from './totals.js';

export interface SeriesQuery {
  scope: RollupScope;
  /** One subject of the scope; omitted = every subject (one row per subject and bucket). `all` has the subject `*`. */
  subject?: string;
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive (e.g. `as_of`). */
  to: number;
}

export class LedgerQueries {
  constructor(private readonly _store: Store) {}

  /** Sums per 15-minute UTC bucket (and subject) of the records in [from, to), ordered by bucket then subject. */
  async series(q: SeriesQuery): Promise<RollupRow[]> {
    if (!(q.to > q.from)) return [];
    const firstFull = rollupBucket(q.from) === q.from ? q.from : rollupBucket(q.from) + ROLLUP_BUCKET_MS;
    const lastFull = rollupBucket(q.to);
    if (firstFull >= lastFull) return this._fromRecords(q, q.from, q.to);
    const [head, middle, tail] = await Promise.all([
      q.from < firstFull ? this._fromRecords(q, q.from, firstFull) : Promise.resolve([]),
      this._store.rollup({ scope: q.scope, ...(q.subject !== undefined ? { subject: q.subject } : {}), from: firstFull, to: lastFull }),
      lastFull < q.to ? this._fromRecords(q, lastFull, q.to) : Promise.resolve([]),
    ]);
    return [...head, ...middle, ...tail];
  }

  /** The sums of [from, to) (within one bucket) straight from the records, as rollup rows of that bucket. */
  private async _fromRecords(q: SeriesQuery, from: number, to: number): Promise<RollupRow[]> {
    const subjectExpr = q.scope === 'all' ? "'*'" : SUBJECT_COLUMN[q.scope];
    const params: Array<string | number> = [from, to];
    let where = 'time_ms >= ? AND time_ms < ?';
    if (q.scope !== 'all') {
      if (q.subject !== undefined) {
        where += ` AND ${subjectExpr} = ?`;
        params.push(q.subject);
      } else where += ` AND ${subjectExpr} IS NOT NULL`;
    } else if (q.subject !== undefined && q.subject !== '*') return [];
    // Scope `all` is one row: Postgres refuses a constant in GROUP BY / ORDER BY ("non-integer constant").
    const grouping = q.scope === 'all' ? '' : ` GROUP BY ${subjectExpr} ORDER BY ${subjectExpr}`;
    const rows = await this._store.readQuery(`SELECT ${subjectExpr} AS subject, ${AGGREGATE_SELECT} FROM records WHERE ${where}${grouping}`, params);
    const bucket_ms = rollupBucket(from);
    return rows.filter((r) => num(r.requests) > 0).map((r: SqlRow) => ({
      scope: q.scope, subject: String(r.subject), bucket_ms, requests: num(r.requests), errors: num(r.errors), blocked: num(r.blocked),
      fallback: num(r.fallback), input: num(r.input), output: num(r.output), cache_read: num(r.cache_read), cache_write: num(r.cache_write),
      reasoning: num(r.reasoning), cost_pico: costSum(r), unpriced: num(r.unpriced), latency_ms_sum: num(r.latency_ms_sum),
    }));
  }
}
