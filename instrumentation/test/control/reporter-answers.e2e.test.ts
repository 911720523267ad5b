/**
 * The reporter and the control plane's per-record answer (`UsageIngestResponse`):
 * a rejected record is dropped (counted, logged once per code), never retried;
 * a whole-batch 400/413/422 never makes it retry forever; only network
 * errors, 408, 429 and 5xx are retried, with the same ids. Against a local
 * HTTP server answering in that shape, and against the real control plane.
 */
import { freePort, waitFor } from '@tokenmeter/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import type { FinishedCall } from '../../src/core/hooks.js';
import { toUsageRecord, UsageReporter } from '../../src/control/reporter.js';
import { PendingFingerprint } from '../../src/fingerprint/pending.js';
import { accepted, startUsageServer, type UsageServer } from '../fixtures/usage-server.js';
import { startControlPlane } from './control-plane.js';

function finished(id: string, extra: Partial<FinishedCall> = {}): FinishedCall {
  return {
    id,
    provider: 'openai',
    operation: 'chat',
    requestModel: 'gpt-4.1-mini',
    streaming: false,
    attribution: { org: 'acme' },
    startTimeMs: Date.now() - 1000,
    durationMs: 120,
    tokens: { input: 100, output: 20, cache_read: 0, cache_write: 0, reasoning: 0 },
    outcome: 'ok',
    cost: { priced: true, costPicoUsd: 60_000_000n, costUsd: 0.00006 },
    ...extra,
  };
}

function logger(): { warn: (m: string) => void; info: () => void; warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, warn: (m) => warnings.push(m), info: () => undefined };
}

let server: UsageServer | undefined;
let reporter: UsageReporter | undefined;
afterEach(async () => {
  await reporter?.shutdown();
  await server?.stop();
  reporter = undefined;
  server = undefined;
});

function reporterFor(url: string, log = logger(), extra: Partial<ConstructorParameters<typeof UsageReporter>[0]> = {}): UsageReporter {
  reporter = new UsageReporter({ url, reportIntervalMillis: 60_000, initialRetryMillis: 1, maxRetryMillis: 2, exportTimeoutMillis: 2000, logger: log, ...extra });
  return reporter;
}

describe('UsageReporter and the per-record answer', () => {
  it('drops the records the answer rejects (by index), counts and logs each code once, and never sends them again', async () => {
    server = await startUsageServer({
      respond: (records) =>
        accepted(
          records,
          records.flatMap((record, index) => (record.id.startsWith('bad') ? [{ index, id: record.id, code: 'implausible', message: `tokens.input: beyond any model's context` }] : [])),
        ),
    });
    const log = logger();
    const acknowledged: string[] = [];
    const r = reporterFor(server.url, log, { onAcknowledged: (ids) => acknowledged.push(...ids) });
    for (const id of ['ok-1', 'bad-1', 'ok-2', 'bad-2']) r.sink(finished(id));
    await r.forceFlush();
    for (const id of ['ok-3', 'bad-3']) r.sink(finished(id));
    await r.forceFlush();
    expect(server.batches().map((batch) => batch.map((record) => record.id))).toEqual([['ok-1', 'bad-1', 'ok-2', 'bad-2'], ['ok-3', 'bad-3']]);
    expect(server.stored().map((record) => record.id)).toEqual(['ok-1', 'ok-2', 'ok-3']);
    expect(acknowledged).toEqual(['ok-1', 'ok-2', 'ok-3']);
    expect(r.rejected).toBe(3);
    expect(r.buffered).toBe(0);
    expect(log.warnings.filter((m) => m.includes('(implausible)'))).toEqual([
      "tokenmeter: 2 usage record(s) refused (implausible): tokens.input: beyond any model's context; dropped, not retried (counted in tokenmeter.reporter.rejected; logged once per code)",
    ]);
  });

  it('a whole-batch 400 naming no record: the batch is split until the bad record stands alone and is dropped; the good ones are stored', async () => {
    server = await startUsageServer({
      respond: (records) =>
        records.some((record) => record.id === 'poison')
          ? { status: 400, body: { error: { code: 'invalid_batch', message: 'cannot store this batch', details: [] } } }
          : accepted(records),
    });
    const log = logger();
    const r = reporterFor(server.url, log);
    const ids = ['a', 'b', 'c', 'poison', 'e', 'f', 'g'];
    for (const id of ids) r.sink(finished(id));
    await r.forceFlush();
    expect(server.stored().map((record) => record.id).sort()).toEqual(['a', 'b', 'c', 'e', 'f', 'g']);
    expect(r.rejected).toBe(1);
    expect(r.buffered).toBe(0);
    // Bounded: one try of the whole, then halves; at most 2·log2(n)+1 more requests.
    expect(server.batches().length).toBeLessThanOrEqual(1 + 2 * Math.ceil(Math.log2(ids.length)) + 1);
    expect(log.warnings.filter((m) => m.includes('(invalid_batch)'))).toHaveLength(1);
  });

  it('a 400 or 422 naming records drops those and delivers the rest; a 413 splits; a single record too large is dropped', async () => {
    server = await startUsageServer({
      respond: (records) => {
        if (records.length > 2) return { status: 413, body: { error: { code: 'batch_too_large', message: 'at most 2', details: [] } } };
        const bad = records.findIndex((record) => record.id.startsWith('bad'));
        if (bad >= 0) return { status: 422, body: { error: { code: 'validation_failed', message: 'invalid', details: [{ path: `records[${bad}].tokens.input`, message: 'must be an integer' }] } } };
        return accepted(records);
      },
    });
    const r = reporterFor(server.url);
    for (const id of ['a', 'bad-b', 'c', 'd', 'e']) r.sink(finished(id));
    await r.forceFlush();
    expect(server.stored().map((record) => record.id).sort()).toEqual(['a', 'c', 'd', 'e']);
    expect(r.rejected).toBe(1);
    expect(r.buffered).toBe(0);
  });

  it('401/403/404 cannot succeed by retrying: dropped, counted, the token named once', async () => {
    server = await startUsageServer({ respond: () => ({ status: 401, body: { error: { code: 'unauthorized', message: 'bad token', details: [] } } }) });
    const log = logger();
    const r = reporterFor(server.url, log);
    r.sink(finished('x1'));
    r.sink(finished('x2'));
    await r.forceFlush();
    r.sink(finished('x3'));
    await r.forceFlush();
    expect(server.batches()).toHaveLength(2);
    expect(r.rejected).toBe(3);
    expect(log.warnings.filter((m) => m.includes('check TOKENMETER_API_TOKEN'))).toHaveLength(1);
  });

  it('network errors, 429 (after Retry-After) and 5xx are retried with the same ids until stored', async () => {
    const answers = [{ status: 503 }, { status: 429, headers: { 'retry-after': '0' } }, { status: 500 }];
    server = await startUsageServer({ respond: (records, attempt) => answers[attempt - 1] ?? accepted(records) });
    const r = reporterFor(server.url);
    for (const id of ['r1', 'r2']) r.sink(finished(id));
    await waitFor(
      async () => {
        await r.forceFlush();
        return server!.stored().length === 2;
      },
      { what: 'the batch stored after three retryable failures' },
    );
    expect(server.batches().map((batch) => batch.map((record) => record.id))).toEqual([['r1', 'r2'], ['r1', 'r2'], ['r1', 'r2'], ['r1', 'r2']]);
    expect(r.rejected).toBe(0);

    // Nothing listening: kept for the next try, never dropped.
    const dead = reporterFor(`http://127.0.0.1:${await freePort()}`);
    dead.sink(finished('n1'));
    await dead.forceFlush();
    expect(dead.buffered).toBe(1);
    expect(dead.rejected).toBe(0);
  });

  it('refuses implausible records at its own door: never sent, counted, logged once', async () => {
    server = await startUsageServer();
    const log = logger();
    const r = reporterFor(server.url, log);
    r.sink(finished('huge', { tokens: { input: 5_000_000_000_000, output: 1, cache_read: 0, cache_write: 0, reasoning: 0 } }));
    r.sink(finished('future', { startTimeMs: Date.now() + 86_400_000 }));
    r.sink(finished('fine'));
    await r.forceFlush();
    expect(server.batches().flat().map((record) => record.id)).toEqual(['fine']);
    expect(r.rejected).toBe(2);
    expect(log.warnings.filter((m) => m.includes('implausible'))).toEqual([
      "tokenmeter: a usage record is implausible (tokens.input: 5000000000000 tokens in one call is beyond any model's context (at most 100000000)); not sent (counted in tokenmeter.reporter.implausible; logged once)",
    ]);
  });
});

describe('UsageReporter against the real control plane', () => {
  it('stores good records and does not retry forever on a record the ledger refuses', async () => {
    const cp = await startControlPlane();
    try {
      const log = logger();
      const r = reporterFor(cp.url, log, { token: cp.ingestToken });
      // A streamed call with its prompt fingerprint: the ledger takes the fields the SDK sends.
      const parts = { prefix: ['system prompt'], rest: ['question'], parameters: { model: 'gpt-4.1-mini' } };
      const fingerprint = new PendingFingerprint(() => parts, 120, 0, 'x'.repeat(80), () => undefined);
      r.sink(finished('cp-good-1', { streaming: true, fingerprint, finishReasons: ['length'] }));
      // A record the SDK's door lets through but the ledger's schema refuses (13 fractional digits of USD).
      r.add({ ...toUsageRecord(finished('cp-bad')), cost_usd: '0.0000000000001' });
      r.sink(finished('cp-good-2'));
      await r.forceFlush();
      await r.forceFlush();
      expect(r.buffered).toBe(0);
      const page = await cp.api<{ records: { id: string }[] }>('GET', '/api/v1/usage?limit=100');
      expect(page.records.map((record) => record.id).sort()).toEqual(['cp-good-1', 'cp-good-2']);
      expect(server).toBeUndefined(); // nothing but the real control plane answered
      expect(fingerprint.value).toMatchObject({ prefix_tokens: 72, finish_reason: 'x'.repeat(64) });
      expect(fingerprint.value?.max_output_tokens).toBeUndefined();
      expect(r.rejected).toBe(1);
      expect(log.warnings.some((m) => m.includes('cost_usd'))).toBe(true);
    } finally {
      await cp.stop();
    }
  });
});
