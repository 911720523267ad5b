/**
 * No prompt text ever leaves the process. A service (the register hook, the
 * real openai and Anthropic clients, every operation, streamed and not) sends
 * prompts full of distinctive words; every byte the SDK sends is kept — the
 * usage POST bodies and every other request to the control plane, the OTLP
 * span and metric exports — plus its Prometheus exposition, and none of it
 * contains any of the words (as text, in any case, nor as base64 or hex).
 * The capture is checked to hold what the SDK does send (fingerprints,
 * spans, metrics), so an empty capture cannot pass.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startMockLlm, type RunningMockLlm } from '@tokenmeter/mock-llm';
import { freePort, startProcess, waitFor } from '@tokenmeter/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTRUMENTATION_DIR } from '../fixtures/run-app.js';
import { startUsageServer, type UsageServer } from '../fixtures/usage-server.js';

const PROMPT_WORDS = ['Quillfeather', 'archivist', 'Marmalade', 'PELICAN-PROTOCOL-77', 'zebracorn', 'xylophonic', 'saffron', 'ledger kept', 'Never reveal'];

/** Every encoding a word could leave in: plain (any case), base64, hex. */
function forms(word: string): string[] {
  const bytes = Buffer.from(word, 'utf8');
  return [word.toLowerCase(), bytes.toString('base64').replace(/=+$/, ''), bytes.toString('hex')];
}

let mock: RunningMockLlm;
let controlPlane: UsageServer;
const otlp: { path: string; body: Buffer }[] = [];
let otlpServer: ReturnType<typeof createServer>;
let otlpUrl: string;

beforeAll(async () => {
  mock = await startMockLlm();
  controlPlane = await startUsageServer();
  otlpServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      otlp.push({ path: req.url ?? '', body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => otlpServer.listen(0, '127.0.0.1', resolve));
  otlpUrl = `http://127.0.0.1:${(otlpServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await mock.stop();
  await controlPlane.stop();
  await new Promise<void>((resolve) => otlpServer.close(() => resolve()));
});

describe('no prompt text leaves the process', () => {
  it('usage records, OTLP spans and metrics, and the Prometheus exposition carry fingerprints, never the prompt', async () => {
    const prometheusPort = await freePort();
    const child = startProcess(process.execPath, ['--import', '@tokenmeter/instrumentation/register.mjs', 'test/fixtures/starts/prompt-app.mjs'], {
      cwd: INSTRUMENTATION_DIR,
      env: {
        PATH: process.env.PATH ?? '',
        OPENAI_BASE_URL: `${mock.url}/v1`,
        OPENAI_API_KEY: 'test',
        ANTHROPIC_BASE_URL: mock.url,
        OTEL_SERVICE_NAME: 'vault-service',
        OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(prometheusPort),
        OTEL_METRICS_EXPORTER: 'prometheus,otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl,
        TOKENMETER_CONTROL_PLANE_URL: controlPlane.url,
        TOKENMETER_API_TOKEN: 'installation-token-for-tests',
        TOKENMETER_REPORT_INTERVAL_MS: '60000',
      },
    });
    await waitFor(() => child.output().includes('READY'), { what: `the app:\n${child.output()}`, timeoutMillis: 30_000 });
    const exposition = await (await fetch(`http://127.0.0.1:${prometheusPort}/metrics`)).text();
    child.child.kill('SIGTERM'); // flushes usage, spans and metrics
    await child.exited;
    expect(mock.requests().length).toBe(6);

    // What was captured is what the SDK sends: six records with fingerprints, spans with fingerprint attributes, metrics.
    const records = controlPlane.stored();
    expect(records).toHaveLength(6);
    for (const record of records) expect(record.fingerprint?.prefix_hash).toMatch(/^[0-9a-f]{32}$/);
    expect(records.map((r) => r.fingerprint?.finish_reason).sort()).toEqual(['end_turn', 'end_turn', 'length', 'stop', 'stop', 'stop']);
    const spans = otlp.filter((r) => r.path === '/v1/traces');
    const metricExports = otlp.filter((r) => r.path === '/v1/metrics');
    expect(Buffer.concat(spans.map((r) => r.body)).includes('tokenmeter.prompt.prefix_hash')).toBe(true);
    expect(Buffer.concat(metricExports.map((r) => r.body)).includes('tokenmeter.tokens')).toBe(true);
    expect(exposition).toContain('tokenmeter_requests_total');

    const sent: { where: string; bytes: Buffer }[] = [
      ...controlPlane.requests().map((r) => ({ where: `${r.method} ${r.path}`, bytes: r.body })),
      ...otlp.map((r) => ({ where: `OTLP ${r.path}`, bytes: r.body })),
      { where: 'GET /metrics (Prometheus)', bytes: Buffer.from(exposition) },
    ];
    const leaks: string[] = [];
    for (const { where, bytes } of sent) {
      const text = bytes.toString('latin1').toLowerCase();
      for (const word of PROMPT_WORDS) for (const form of forms(word)) if (text.includes(form.toLowerCase())) leaks.push(`${where}: ${word} (${form})`);
    }
    expect(leaks).toEqual([]);
    // The checker finds a word when one is there (not a vacuous search).
    expect(PROMPT_WORDS.some((word) => Buffer.from(`x ${word} y`).toString('latin1').toLowerCase().includes(forms(word)[0]!))).toBe(true);
  });
});
