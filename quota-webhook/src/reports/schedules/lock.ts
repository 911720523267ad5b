/**
 * Mutual exclusion for claiming a schedule's tick, so that one run happens
 * per tick however many replicas tick at once:
 * - Postgres: `pg_try_advisory_xact_lock` on a connection of its own, held
 *   for the claim's transaction (the claim writes the schedule's next tick
 *   through the store before the lock is released, so a replica that gets the
 *   lock later sees the tick taken);
 * - SQLite: one process per database file, so an in-process lock.
 * `tryWithLock` never waits: a replica that does not get the lock skips, the
 * one holding it does the work.
 */
import pg from 'pg';

export interface TickLock {
  /** Runs `fn` holding the lock named `key`; `undefined` without running it when another holder has it. */
  tryWithLock<T>(key: string, fn: () => Promise<T>): Promise<T | undefined>;
  close(): Promise<void>;
}

export class InProcessLock implements TickLock {
  private readonly _held = new Set<string>();

  async tryWithLock<T>(key: string, fn: () => Promise<T>): Promise<T | undefined> {
    if (this._held.has(key)) return undefined;
    this._held.add(key);
    try {
      return await fn();
    } finally {
      this._held.delete(key);
    }
  }

  async close(): Promise<void> {}
}

/** First key of the advisory lock pair: the report scheduler's namespace (the store's schema lock is 74700001). */
export const ADVISORY_NAMESPACE = 74700002;

export class PostgresAdvisoryLock implements TickLock {
  private readonly _pool: pg.Pool;
  private readonly _local = new InProcessLock();

  constructor(url: string) {
    this._pool = new pg.Pool({ connectionString: url, max: 2 });
    this._pool.on('error', () => {
      // An idle connection dropped (server restart): the next claim opens a new one.
    });
  }

  tryWithLock<T>(key: string, fn: () => Promise<T>): Promise<T | undefined> {
    return this._local.tryWithLock(key, async () => {
      const c = await this._pool.connect();
      try {
        await c.query('BEGIN');
        const got = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS ok', [ADVISORY_NAMESPACE, key]);
        if (!got.rows[0]?.ok) {
          await c.query('ROLLBACK');
          return undefined;
        }
        try {
          return await fn();
        } finally {
          await c.query('COMMIT').catch(() => undefined);
        }
      } catch (error) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        c.release();
      }
    });
  }

  async close(): Promise<void> {
    await this._pool.end();
  }
}
