/**
 * The collector in front of the real control plane (its built `main.js`, a
 * SQLite ledger in a temporary directory): one bad record among good ones
 * must never stop the good ones from reaching the ledger.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { awaitReady, freePort, startProcess, waitFor } from '@tokenmeter/testkit';
import type { ManagedProcess } from '@tokenmeter/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCollector } from '../../src/index.js';
import { encodeSpans, post, sample, scrape, startTestCollector } from '../helpers/otlp.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const TOKENS = { admin: 'e2e-admin', read: 'e2e-read-token', ingest: 'e2e-ingest', alertmanager: 'e2e-alertmanager' };
const OTLP_TOKEN = 'e2e-otlp';
const AUTH = { 'content-type': 'application/x-protobuf', authorization: `Bearer ${OTLP_TOKEN}` };

const call = (attrs: Record<string, string | number> = {}) => ({
  attributes: { 'gen_ai.provider.name': 'openai', 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4.1', 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 10, ...attrs },
});

describe('collector → real control plane ledger', () => {
  let dir: string;
  let cp: ManagedProcess;
  let cpUrl: string;
  let c: RunningCollector;

  /** Records in the ledger whose feature is `feature`. */
  async function ledgerCount(feature: string): Promise<number> {
    const res = await fetch(`${cpUrl}/api/v1/usage?group_by=feature&feature=${feature}`, { headers: { authorization: `Bearer ${TOKENS.read}` } });
    const body = (await res.json()) as { groups: Array<{ requests: number }> };
    return body.groups.reduce((n, g) => n + g.requests, 0);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tokenmeter-collector-ledger-'));
    const port = await freePort();
    cpUrl = `http://127.0.0.1:${port}`;
    cp = startProcess(process.execPath, [join(ROOT, 'quota-webhook', 'dist', 'main.js')], {
      env: {
        ...process.env,
        TOKENMETER_CONTROL_PLANE_HOST: '127.0.0.1',
        TOKENMETER_CONTROL_PLANE_PORT: String(port),
        TOKENMETER_DB_URL: join(dir, 'ledger.db'),
        TOKENMETER_ADMIN_TOKEN: TOKENS.admin,
        TOKENMETER_READ_TOKEN: TOKENS.read,
        TOKENMETER_INGEST_TOKEN: TOKENS.ingest,
        TOKENMETER_ALERTMANAGER_TOKEN: TOKENS.alertmanager,
        TOKENMETER_LOG_LEVEL: 'warn',
      },
    });
    await awaitReady(cp, `${cpUrl}/readyz`, 'control plane');
    c = await startTestCollector({
      TOKENMETER_CONTROL_PLANE_URL: cpUrl,
      TOKENMETER_API_TOKEN: TOKENS.ingest,
      TOKENMETER_COLLECTOR_OTLP_TOKEN: OTLP_TOKEN,
      TOKENMETER_COLLECTOR_LEDGER_FLUSH_MS: '50',
      TOKENMETER_COLLECTOR_LEDGER_BATCH_RECORDS: '200',
    });
  });
  afterAll(async () => {
    await c?.shutdown();
    await cp?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses an implausible span at the door (partial success) and every one of the next 1,000 records arrives', async () => {
    // 5·10¹² input tokens on gpt-4.1: its cost overflowed the ledger's integers, and the 500 made senders retry the batch forever.
    const first = await encodeSpans('@traceloop/instrumentation-openai', { 'service.name': 'poisoned' }, [
      call({ 'gen_ai.usage.input_tokens': 5_000_000_000_000, 'tokenmeter.feature': 'poison' }),
      ...Array.from({ length: 9 }, () => call({ 'tokenmeter.feature': 'after-poison' })),
    ]);
    const res = await post(c, '/v1/traces', first, AUTH);
    expect(res.status).toBe(200);
    const reply = ProtobufTraceSerializer.deserializeResponse(new Uint8Array(await res.arrayBuffer())) as { partialSuccess?: { rejectedSpans?: number; errorMessage?: string } };
    expect(Number(reply.partialSuccess?.rejectedSpans)).toBe(1);
    expect(reply.partialSuccess?.errorMessage).toMatch(/1 spans refused as implausible .*tokens\.input: 5000000000000 tokens in one call is beyond any model's context/);
    for (let i = 0; i < 2; i++) {
      const next = await encodeSpans('@traceloop/instrumentation-openai', { 'service.name': 'poisoned' }, Array.from({ length: 500 }, () => call({ 'tokenmeter.feature': 'after-poison' })));
      expect((await post(c, '/v1/traces', next, AUTH)).status).toBe(200);
    }
    await waitFor(async () => (await ledgerCount('after-poison')) === 1009, { what: '1,009 good records in the ledger', timeoutMillis: 20_000 });
    expect(await ledgerCount('poison')).toBe(0);
    const text = await scrape(c);
    expect(sample(text, 'tokenmeter_collector_implausible_total', { reason: 'tokens' })).toBe(1);
    expect(sample(text, 'tokenmeter_tokens_total', { job: 'poisoned', gen_ai_token_type: 'input' })).toBe(1009 * 100);
    expect(sample(text, 'tokenmeter_collector_ledger_buffered_records', {})).toBe(0);
  });

  it('a record the control plane refuses is dropped alone and counted; the records batched with it arrive', async () => {
    // A provider name longer than the ledger allows (128) passes the collector (attribute values are kept up to 256).
    const body = await encodeSpans('@traceloop/instrumentation-openai', { 'service.name': 'refused' }, [
      ...Array.from({ length: 50 }, () => call({ 'tokenmeter.feature': 'beside-refused' })),
      call({ 'gen_ai.provider.name': 'x'.repeat(200), 'tokenmeter.feature': 'refused' }),
      ...Array.from({ length: 49 }, () => call({ 'tokenmeter.feature': 'beside-refused' })),
    ]);
    expect((await post(c, '/v1/traces', body, AUTH)).status).toBe(200);
    await waitFor(async () => (await ledgerCount('beside-refused')) === 99, { what: '99 good records in the ledger', timeoutMillis: 20_000 });
    const text = await waitFor(async () => {
      const t = await scrape(c);
      return (sample(t, 'tokenmeter_collector_ledger_dropped_total', {}) ?? 0) + (sample(t, 'tokenmeter_collector_ledger_rejected_total', {}) ?? 0) === 1 ? t : undefined;
    }, { what: 'the refused record counted' });
    expect(sample(text, 'tokenmeter_collector_ledger_buffered_records', {})).toBe(0);
    expect(await ledgerCount('refused')).toBe(0);
  });

  it('answers 401 to OTLP requests without the token, and nothing reaches the ledger', async () => {
    const body = await encodeSpans('x', { 'service.name': 'anonymous' }, [call({ 'tokenmeter.feature': 'anonymous' })]);
    const res = await post(c, '/v1/traces', body);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="tokenmeter-collector"');
    expect((await post(c, '/v1/traces', body, { ...AUTH, authorization: 'Bearer e2e-ingest' })).status).toBe(401);
    expect(await ledgerCount('anonymous')).toBe(0);
  });
});
