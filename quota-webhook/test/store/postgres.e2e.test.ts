/**
 * The store core suite against a real PostgreSQL server (Debian `postgresql`,
 * started by testkit), selected the way the service selects it:
 * `TOKENMETER_DB_URL=postgres://…` through `loadConfig` and `openStore`.
 * Each test gets a fresh database.
 */
import pg from 'pg';
import { usePostgres } from '../support/postgres.js';
import { describe, expect, it } from 'vitest';
import { loadConfig, openStore } from '../../src/index.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { record } from '../helpers.js';
import { defineCoreSuite } from './core-suite.js';
import { defineDerivedSuite } from './derived-suite.js';

const postgres = usePostgres();

const freshUrl = (): Promise<string> => postgres().createDatabase();

defineCoreSuite({
  kind: 'postgres',
  fresh: async () => ({ dbUrl: loadConfig({ TOKENMETER_DB_URL: await freshUrl() }).dbUrl }),
});

defineDerivedSuite({
  kind: 'postgres',
  fresh: async () => ({ dbUrl: loadConfig({ TOKENMETER_DB_URL: await freshUrl() }).dbUrl }),
});

describe('postgres store specifics', () => {
  it('openStore picks Postgres for postgres:// URLs; records are partitioned by month', async () => {
    const url = await freshUrl();
    const store = await openStore(loadConfig({ TOKENMETER_DB_URL: url }));
    try {
      expect(store).toBeInstanceOf(PostgresStore);
      const { toLedgerRow } = await import('../../src/index.js');
      const { PriceCatalog } = await import('@tokenmeter/instrumentation/pricing');
      const rows = ['2026-01-31T23:59:59Z', '2026-02-01T00:00:00Z', '2026-03-15T00:00:00Z'].map((time, i) =>
        toLedgerRow(record({ id: `p${i}`, time }) as never, PriceCatalog.bundled(), () => undefined, Date.now()));
      expect(await store.ingest(rows, () => ({ totals: [], rollup: [] }))).toEqual({ accepted: 3, duplicates: 0 });
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        const parts = await c.query(`SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'records' ORDER BY 1`);
        expect(parts.rows.map((r: { relname: string }) => r.relname)).toEqual(['records_202601', 'records_202602', 'records_202603']);
      } finally {
        await c.end();
      }
    } finally {
      await store.close();
    }
  });

  it('two stores initialising the same empty database at once both succeed (schema under an advisory lock)', async () => {
    const url = await freshUrl();
    const stores = [new PostgresStore(url), new PostgresStore(url), new PostgresStore(url)];
    try {
      await Promise.all(stores.map((s) => s.init()));
      for (const s of stores) await s.ping();
      expect(await stores[0]!.countRecords()).toBe(0);
    } finally {
      for (const s of stores) await s.close();
    }
  });
});
