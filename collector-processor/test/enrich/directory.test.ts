/**
 * Directory enrichment from a bulk copy: a flood of unknown users costs O(1)
 * requests to the control plane, the copy is bounded, conditional when the
 * control plane sends an ETag, and kept when a sync fails.
 */
import { waitFor } from '@tokenmeter/testkit';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningCollector } from '../../src/index.js';
import { logCapture, startFakeControlPlane } from '../helpers/control-plane.js';
import type { FakeControlPlane } from '../helpers/control-plane.js';
import { encodeSpans, post, sample, scrape, startTestCollector } from '../helpers/otlp.js';

const span = (user: string) => ({
  attributes: { 'gen_ai.provider.name': 'openai', 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 1, 'gen_ai.usage.output_tokens': 1, 'user.id': user },
});

describe('directory enrichment', () => {
  let cp: FakeControlPlane;
  let c: RunningCollector;
  const log = logCapture();

  async function start(env: Record<string, string>, prepare: (cp: FakeControlPlane) => void = () => {}): Promise<void> {
    cp = await startFakeControlPlane();
    prepare(cp);
    log.lines.length = 0;
    c = await startTestCollector({ TOKENMETER_CONTROL_PLANE_URL: cp.url, TOKENMETER_COLLECTOR_LEDGER_FLUSH_MS: '20', ...env }, { logger: pino({ level: 'warn' }, log.stream) });
    await waitFor(async () => (sample(await scrape(c), 'tokenmeter_collector_directory_sync_timestamp_seconds', {}) ?? 0) > 0, { what: 'first directory sync' });
  }
  afterEach(async () => {
    await c?.shutdown();
    await cp?.close();
  });

  it('20,000 unknown users cause one directory request in all, and no request per user', async () => {
    await start({ TOKENMETER_COLLECTOR_DIRECTORY_RESYNC_MIN_MS: '3600000' }, (f) => {
      f.directory = [{ user: 'known', department: 'research', org: 'acme' }];
    });
    for (let batch = 0; batch < 20; batch++) {
      const specs = Array.from({ length: 1000 }, (_, i) => span(`stranger-${batch * 1000 + i}`));
      if (batch === 0) specs.push(span('known'));
      expect((await post(c, '/v1/traces', await encodeSpans('third-party', { 'service.name': 'flood' }, specs))).status).toBe(200);
    }
    expect(cp.directoryRequests).toHaveLength(1);
    expect(cp.requests.filter((r) => r.startsWith('GET /api/v1/directory/'))).toEqual([]);
    const text = await scrape(c);
    expect(sample(text, 'tokenmeter_requests_total', { job: 'flood', user_id: 'known', tokenmeter_department: 'research', tokenmeter_org: 'acme' })).toBe(1);
    expect(sample(text, 'tokenmeter_requests_total', { job: 'flood' })).toBe(20_001);
    expect(sample(text, 'tokenmeter_collector_directory_syncs_total', {})).toBe(1);
    expect(sample(text, 'tokenmeter_collector_directory_users', {})).toBe(1);
  });

  it('a user added to the directory later is picked up by one early sync, asked for by that user\'s calls', async () => {
    await start({ TOKENMETER_COLLECTOR_DIRECTORY_RESYNC_MIN_MS: '1000', TOKENMETER_COLLECTOR_DIRECTORY_SYNC_MS: '3600000' });
    cp.directory = [{ user: 'newcomer', department: 'sales', org: 'acme' }];
    await waitFor(
      async () => {
        expect((await post(c, '/v1/traces', await encodeSpans('third-party', { 'service.name': 'late' }, [span('newcomer')]))).status).toBe(200);
        return sample(await scrape(c), 'tokenmeter_requests_total', { job: 'late', user_id: 'newcomer', tokenmeter_department: 'sales' }) === 1;
      },
      { what: 'the newcomer enriched', intervalMillis: 200 },
    );
    expect(cp.directoryRequests.length).toBeGreaterThanOrEqual(2);
  });

  it('holds at most TOKENMETER_COLLECTOR_DIRECTORY_MAX_USERS users, warns once, and says how many are beyond', async () => {
    await start({ TOKENMETER_COLLECTOR_DIRECTORY_MAX_USERS: '10' }, (f) => {
      f.directory = Array.from({ length: 50 }, (_, i) => ({ user: `u${i}`, department: `d${i % 3}` }));
    });
    const text = await scrape(c);
    expect(sample(text, 'tokenmeter_collector_directory_users', {})).toBe(10);
    expect(sample(text, 'tokenmeter_collector_directory_users_beyond_limit', {})).toBe(40);
    expect(log.lines.filter((l) => String(l.msg).includes('TOKENMETER_COLLECTOR_DIRECTORY_MAX_USERS'))).toHaveLength(1);
  });

  it('syncs conditionally with the ETag the control plane sends, and keeps the last good copy when a sync fails', async () => {
    await start({ TOKENMETER_COLLECTOR_DIRECTORY_RESYNC_MIN_MS: '1000', TOKENMETER_COLLECTOR_DIRECTORY_SYNC_MS: '1000' }, (f) => {
      f.directory = [{ user: 'alice', department: 'research' }];
      f.directoryEtag = true;
    });
    await waitFor(() => cp.directoryRequests.some((etag) => etag !== undefined), { what: 'a conditional sync' });
    cp.directoryStatus = 503;
    const failures = async (): Promise<number> => sample(await scrape(c), 'tokenmeter_collector_directory_sync_failures_total', {}) ?? 0;
    await waitFor(async () => (await failures()) > 0, { what: 'a failed sync' });
    expect((await post(c, '/v1/traces', await encodeSpans('third-party', { 'service.name': 'kept' }, [span('alice')]))).status).toBe(200);
    expect(sample(await scrape(c), 'tokenmeter_requests_total', { job: 'kept', user_id: 'alice', tokenmeter_department: 'research' })).toBe(1);
  });
});
