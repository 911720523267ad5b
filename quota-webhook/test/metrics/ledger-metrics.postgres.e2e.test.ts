/** The ledger families of `/metrics` on a real PostgreSQL server (testkit), a fresh database per test. */
import { startPostgres, type RunningPostgres } from '@tokenmeter/testkit';
import { afterAll, beforeAll } from 'vitest';
import { defineLedgerMetricsSuite } from './ledger-metrics-suite.js';

let server: RunningPostgres;

beforeAll(async () => {
  server = await startPostgres();
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

defineLedgerMetricsSuite({
  kind: 'postgres',
  fresh: async () => ({ dbUrl: await server.createDatabase() }),
});
