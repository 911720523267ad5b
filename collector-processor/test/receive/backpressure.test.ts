/**
 * Back-pressure by the work waiting: requests are refused with 429 and
 * Retry-After before their body is read once the bytes held by requests in
 * flight would pass TOKENMETER_COLLECTOR_QUEUE_BYTES (and while a chunked
 * body grows past it), so the queue cannot grow without bound and health
 * checks and scrapes keep answering.
 */
import { request } from 'node:http';
import type { ClientRequest } from 'node:http';
import { waitFor } from '@tokenmeter/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCollector } from '../../src/index.js';
import { encodeSpans, post, sample, scrape, startTestCollector } from '../helpers/otlp.js';

const KIB = 1024;

interface Vars {
  inflight: number;
  inflight_bytes: number;
}

/** A request whose headers are sent and whose body is not finished: it holds its place in the queue. */
function held(url: string, headers: Record<string, string>): { req: ClientRequest; status: Promise<number> } {
  const u = new URL(url);
  const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'content-type': 'application/x-protobuf', ...headers } });
  const status = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
  });
  return { req, status };
}

describe('back-pressure by bytes waiting', () => {
  let c: RunningCollector;
  const vars = async (): Promise<Vars> => (await (await fetch(`${c.metricsUrl}/debug/vars`)).json()) as Vars;
  beforeAll(async () => {
    c = await startTestCollector({ TOKENMETER_COLLECTOR_QUEUE_BYTES: String(64 * KIB), TOKENMETER_COLLECTOR_RETRY_AFTER_MS: '2500' });
  });
  afterAll(async () => {
    await c?.shutdown();
  });

  it('refuses a request whose declared size would pass the bound, admits a small one, and keeps health and /metrics answering', async () => {
    const spans = await encodeSpans('third-party', { 'service.name': 'bp' }, [
      { attributes: { 'gen_ai.provider.name': 'openai', 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 3, 'gen_ai.usage.output_tokens': 1 } },
    ]);
    // 40 KiB of valid protobuf: the spans, then an unknown field (number 15) that decoders skip.
    const padLen = 40 * KIB - spans.length - 4;
    const pad = Buffer.concat([Buffer.from([(15 << 3) | 2, (padLen & 0x7f) | 0x80, ((padLen >> 7) & 0x7f) | 0x80, padLen >> 14]), Buffer.alloc(padLen)]);
    expect(spans.length + pad.length).toBe(40 * KIB);
    const first = held(`${c.otlpUrl}/v1/metrics`, { 'content-length': String(40 * KIB) });
    first.req.write(Buffer.alloc(10));
    await waitFor(async () => (await vars()).inflight_bytes === 40 * KIB, { what: 'the first request holding 40 KiB' });

    const big = await post(c, '/v1/traces', Buffer.concat([spans, pad]));
    expect(big.status).toBe(429);
    expect(big.headers.get('retry-after')).toBe('3');
    expect(Buffer.from(await big.arrayBuffer()).toString('utf8')).toContain('bytes waiting to be processed (TOKENMETER_COLLECTOR_QUEUE_BYTES=65536)');

    expect((await post(c, '/v1/traces', spans)).status).toBe(200);
    expect((await fetch(`${c.otlpUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${c.metricsUrl}/healthz`)).status).toBe(200);
    const text = await scrape(c);
    expect(sample(text, 'tokenmeter_collector_inflight_bytes', {})).toBe(40 * KIB);
    expect(sample(text, 'tokenmeter_collector_http_requests_total', { signal: 'traces', code: '429' })).toBe(1);

    // A chunked body (no length declared) is refused once it grows past the bound.
    const chunked = held(`${c.otlpUrl}/v1/traces`, { 'transfer-encoding': 'chunked' });
    for (let i = 0; i < 4; i++) chunked.req.write(Buffer.alloc(16 * KIB, 1));
    chunked.req.end();
    expect(await chunked.status).toBe(429);

    first.req.end(Buffer.alloc(40 * KIB - 10));
    expect(await first.status).toBe(400); // zeros are not a valid metrics payload: it was read and judged
    await waitFor(async () => (await vars()).inflight_bytes === 0 && (await vars()).inflight === 0, { what: 'the queue drained' });
    // Alone, a request is always admitted, whatever its size up to the body limit.
    expect((await post(c, '/v1/traces', Buffer.concat([spans, pad]))).status).toBe(200);
  });
});
