import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { scrapeConfig, startAlertmanager, startPostgres, startPrometheus, type RunningAlertmanager, type RunningPostgres, type RunningPrometheus } from '../src/index.js';

describe('testkit starts the real servers', () => {
  let prom: RunningPrometheus | undefined;
  let am: RunningAlertmanager | undefined;
  let pgServer: RunningPostgres | undefined;
  afterAll(async () => {
    await Promise.all([prom?.stop(), am?.stop(), pgServer?.stop()]);
  });

  it('prometheus scrapes itself and answers queries', async () => {
    prom = await startPrometheus({ config: scrapeConfig([]) });
    const result = await prom.query('vector(42)');
    expect(result[0]?.value[1]).toBe('42');
  });

  it('alertmanager becomes ready', async () => {
    am = await startAlertmanager('route:\n  receiver: none\nreceivers:\n  - name: none\n');
    const status = (await (await fetch(`${am.url}/api/v2/status`)).json()) as { cluster: { status: string } };
    expect(status.cluster.status).toBe('disabled');
  });

  it('postgres accepts a connection', async () => {
    pgServer = await startPostgres();
    const client = new pg.Client({ connectionString: pgServer.url });
    await client.connect();
    const result = await client.query<{ n: number }>('SELECT 1 + 1 AS n');
    await client.end();
    expect(result.rows[0]?.n).toBe(2);
  });
});
