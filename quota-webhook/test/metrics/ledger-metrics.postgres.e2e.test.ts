/** The ledger families of `/metrics` on a real PostgreSQL server (testkit), a fresh database per test. */
import { usePostgres } from '../support/postgres.js';
import { defineLedgerMetricsSuite } from './ledger-metrics-suite.js';

const postgres = usePostgres();

defineLedgerMetricsSuite({
  kind: 'postgres',
  fresh: async () => ({ dbUrl: await postgres().createDatabase() }),
});
