/**
 * Ledger delivery never stalls on one record: rejected records are dropped
 * (counted, logged once per code), a refused batch is split until the refused
 * record stands alone, and only transient failures are retried.
 */
import type { UsageRecord } from '@tokenmeter/instrumentation/protocol';
import { waitFor } from '@tokenmeter/testkit';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningCollector } from '../../src/index.js';
import { accepted, logCapture, startFakeControlPlane } from '../helpers/control-plane.js';
import type { FakeControlPlane } from '../helpers/control-plane.js';
import { encodeSpans, post, sample, scrape, startTestCollector } from '../helpers/otlp.js';

const span = (feature: string) => ({
  attributes: { 'gen_ai.provider.name': 'openai', 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 2, 'tokenmeter.feature': feature },
});

describe('ledger forwarding', () => {
  let cp: FakeControlPlane;
  let c: RunningCollector;
  const log = logCapture();

  async function start(env: Record<string, string> = {}): Promise<void> {
    cp = await startFakeControlPlane();
    log.lines.length = 0;
    c = await startTestCollector(
      { TOKENMETER_CONTROL_PLANE_URL: cp.url, TOKENMETER_COLLECTOR_LEDGER_FLUSH_MS: '20', ...env },
      { logger: pino({ level: 'warn' }, log.stream) },
    );
  }
  afterEach(async () => {
    await c?.shutdown();
    await cp?.close();
  });

  /** How the fake answered each batch, in order. */
  let answers: Array<{ ok: boolean; rejectedIds: Set<string> }> = [];
  /** Every record id the control plane stored (accepted answers only). */
  function stored(): string[] {
    return cp.batches.flatMap((b, i) => {
      const a = answers[i];
      return a?.ok ? b.filter((r) => !a.rejectedIds.has(r.id)).map((r) => r.id) : [];
    });
  }

  it('drops a record the ledger rejects by index, never resends it, logs once per code, and delivers the records after it', async () => {
    await start();
    answers = [];
    const poison = new Set<string>();
    cp.usage = (records) => {
      const rejected = records.flatMap((r, index) => (r.feature === 'poison' ? [{ index, id: r.id, code: 'implausible', message: 'tokens.input: beyond any model' }] : []));
      answers.push({ ok: true, rejectedIds: new Set(rejected.map((r) => r.id)) });
      return accepted(records, rejected);
    };
    const body = await encodeSpans('third-party', { 'service.name': 'svc' }, [span('poison'), span('good'), span('poison'), span('good')]);
    expect((await post(c, '/v1/traces', body)).status).toBe(200);
    await waitFor(() => cp.batches.flat().length >= 4, { what: 'first delivery' });
    for (const r of cp.batches.flat()) if (r.feature === 'poison') poison.add(r.id);

    const after = await encodeSpans('third-party', { 'service.name': 'svc' }, Array.from({ length: 1000 }, () => span('after')));
    expect((await post(c, '/v1/traces', after)).status).toBe(200);
    await waitFor(() => stored().length === 1002, { what: '1,002 good records stored' });
    // The rejected records were sent once each, never again.
    expect(cp.batches.flat().filter((r) => poison.has(r.id))).toHaveLength(2);
    const text = await scrape(c);
    expect(sample(text, 'tokenmeter_collector_ledger_rejected_total', { code: 'implausible' })).toBe(2);
    expect(sample(text, 'tokenmeter_collector_ledger_records_total', { result: 'accepted' })).toBe(1002);
    expect(sample(text, 'tokenmeter_collector_ledger_buffered_records', {})).toBe(0);
    expect(sample(text, 'tokenmeter_collector_ledger_failures_total', {})).toBe(0);
    const logged = log.lines.filter((l) => String(l.msg).startsWith('the ledger rejected a usage record'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ code: 'implausible', reason: 'tokens.input: beyond any model' });
  });

  it('splits a batch refused as a whole (422) until the refused record stands alone, drops only it, and delivers the rest once', async () => {
    await start({ TOKENMETER_COLLECTOR_LEDGER_BATCH_RECORDS: '64' });
    answers = [];
    cp.usage = (records) => {
      const bad = records.some((r) => r.feature === 'poison');
      answers.push({ ok: !bad, rejectedIds: new Set() });
      return bad ? { status: 422, body: { error: { code: 'invalid_body', message: 'records[17].provider: too long', details: [] } } } : accepted(records);
    };
    const specs = Array.from({ length: 64 }, (_, i) => span(i === 17 ? 'poison' : 'good'));
    expect((await post(c, '/v1/traces', await encodeSpans('third-party', { 'service.name': 'svc' }, specs))).status).toBe(200);
    await waitFor(async () => sample(await scrape(c), 'tokenmeter_collector_ledger_dropped_total', { status: '422' }) === 1, { what: 'the refused record dropped' });
    await waitFor(() => stored().length === 63, { what: '63 good records stored' });
    const ids = stored();
    expect(new Set(ids).size).toBe(63); // each good record stored once
    // Bisection: about 2·log2(64) requests, not one per record.
    expect(cp.batches.length).toBeLessThanOrEqual(2 * Math.log2(64));
    // Records that came after the refused batch are not held back by it.
    expect((await post(c, '/v1/traces', await encodeSpans('third-party', { 'service.name': 'svc' }, [span('later')]))).status).toBe(200);
    await waitFor(() => stored().length === 64, { what: 'the next record stored' });
    expect(cp.batches.at(-1)).toHaveLength(1);
    expect(log.lines.filter((l) => String(l.msg).startsWith('control plane refused a usage record with 422'))).toHaveLength(1);
  });

  it('retries 503, 401 (with a hint) and 429 with the same ids, dropping nothing', async () => {
    await start();
    answers = [];
    const statuses = [503, 401, 429];
    cp.usage = (records) => {
      const status = statuses.shift();
      answers.push({ ok: status === undefined, rejectedIds: new Set() });
      return status === undefined ? accepted(records) : { status, body: { error: { code: 'x', message: 'x' } } };
    };
    expect((await post(c, '/v1/traces', await encodeSpans('third-party', { 'service.name': 'svc' }, [span('a'), span('b')]))).status).toBe(200);
    await waitFor(() => cp.batches.length === 4 && stored().length === 2, { what: 'delivery after three failures', timeoutMillis: 10_000 });
    const ids = cp.batches.map((b) => b.map((r: UsageRecord) => r.id).join(','));
    expect(new Set(ids).size).toBe(1);
    const text = await scrape(c);
    expect(sample(text, 'tokenmeter_collector_ledger_failures_total', {})).toBe(3);
    expect(sample(text, 'tokenmeter_collector_ledger_dropped_total', {})).toBeUndefined();
    expect(log.lines.some((l) => String(l.msg).includes('check TOKENMETER_API_TOKEN'))).toBe(true);
  });
});
