/**
 * A test OTLP/HTTP receiver and one measured call exported through the SDK's
 * own tracer provider. One export test file per set-up: the pipeline's tracer
 * is bound to the first global tracer provider of the process.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '@tokenmeter/testkit';
import { startCall } from '../../src/core/call.js';
import { startTokenmeter, type TokenmeterHandle } from '../../src/sdk.js';

export interface ReceivedRequest {
  path: string;
  contentType: string;
  body: Buffer;
}

export interface SpanReceiver {
  received: ReceivedRequest[];
  /** One measured call through the pipeline, flushed; resolves with the trace export that carried it. */
  exportOneCall(env: Record<string, string>): Promise<ReceivedRequest>;
  stop(): Promise<void>;
}

export async function startSpanReceiver(): Promise<SpanReceiver> {
  const received: ReceivedRequest[] = [];
  let handle: TokenmeterHandle | undefined;
  const receiver: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'] ?? '', body: Buffer.concat(chunks) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  // The OTLP exporters read their endpoint from process.env, as in a service.
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  return {
    received,
    async exportOneCall(env) {
      handle = startTokenmeter({ env: { ...process.env, OTEL_METRICS_EXPORTER: 'none', OTEL_SERVICE_NAME: 'traces-test', ...env }, strict: true });
      startCall({ provider: 'openai', operation: 'chat', requestModel: 'gpt-4.1-mini', streaming: false }).end({ responseModel: 'gpt-4.1-mini', tokens: { input: 12, output: 3 } });
      await handle.forceFlush();
      return waitFor(() => received.find((r) => r.path === '/v1/traces'), { what: 'a trace export' });
    },
    async stop() {
      await handle?.shutdown();
      delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
      await new Promise((resolve) => receiver.close(resolve));
    },
  };
}
