/** The ledger families of `/metrics` on a real PostgreSQL server (testkit), a fresh database per test. */
import pg from 'pg';
import { startPostgres, type RunningPostgres } from '@tokenmeter/testkit';
import { afterAll, beforeAll } from 'vitest';
import { defineLedgerMetricsSuite } from './ledger-metrics-suite.js';

let server: RunningPostgres;
let admin: pg.Client;
let n = 0;

beforeAll(async () => {
  server = await startPostgres();
  admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
}, 60_000);

afterAll(async () => {
  await admin?.end();
  await server?.stop();
});

defineLedgerMetricsSuite({
  kind: 'postgres',
  fresh: async () => {
    const name = `lm${++n}_${process.pid}`;
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(server.url);
    url.pathname = `/${name}`;
    return { dbUrl: url.toString() };
  },
});
