/** The chargeback and recommendation suite on a real Postgres server (tools/testkit), one fresh database per test. */
import { usePostgres } from '../support/postgres.js';
import { defineAnalyticsSuite } from './suite.js';

const postgres = usePostgres();

defineAnalyticsSuite({
  kind: 'postgres',
  fresh: async () => ({ dbUrl: await postgres().createDatabase() }),
});
