/** The analytics endpoints on a real PostgreSQL server (Debian `postgresql`, started by testkit). */
import pg from 'pg';
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

defineAnalyticsSuite('postgres', async () => {
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  const name = `analytics_${process.pid}`;
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  return { dbUrl: url.toString() };
});
