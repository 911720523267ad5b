/** The chargeback and recommendation suite on a real Postgres server (tools/testkit), one fresh database per test. */
import { startPostgres, type RunningPostgres } from '@tokenmeter/testkit';
import { afterAll, beforeAll } from 'vitest';
import { defineAnalyticsSuite } from './suite.js';

let server: RunningPostgres;

beforeAll(async () => {
  server = await startPostgres();
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

defineAnalyticsSuite({
  kind: 'postgres',
  fresh: async () => ({ dbUrl: await server.createDatabase() }),
});
