/** The analytics endpoints on a real PostgreSQL server (Debian `postgresql`, started by testkit). */
import { startPostgres, type RunningPostgres } from '@tokenmeter/testkit';
import { afterAll, beforeAll } from 'vitest';
import { defineAnalyticsSuite } from './api-suite.js';

let server: RunningPostgres;

beforeAll(async () => {
  server = await startPostgres();
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

defineAnalyticsSuite('postgres', async () => ({ dbUrl: await server.createDatabase() }));
