/** The HTTP server and the socket-free fetch over the same `MockLlm`. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MockLlm, type MockLogOptions } from './mock.js';
import type { FaultRule, MockRequest, MockResponse, ServedRequest } from './types.js';

export interface MockLlmOptions extends MockLogOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** How long an idle keep-alive connection stays open (5000): longer for a client too slow to reuse it in time, e.g. one run under valgrind. */
  keepAliveTimeoutMs?: number;
}

export interface RunningMockLlm {
  /** Base URL: OpenAI clients use `${url}/v1`, Anthropic clients `url`. */
  url: string;
  port: number;
  mock: MockLlm;
  requests(): ServedRequest[];
  clearRequests(): void;
  setFaults(rules: FaultRule[]): void;
  clearFaults(): void;
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** Starts the mock on HTTP. */
export async function startMockLlm(options: MockLlmOptions = {}): Promise<RunningMockLlm> {
  const mock = new MockLlm(options);
  const server = createServer((req, res) => {
    void serve(mock, req, res); // errors are answered inside serve
  });
  server.keepAliveTimeout = options.keepAliveTimeoutMs ?? 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    mock,
    requests: () => mock.requests(),
    clearRequests: () => mock.clearRequests(),
    setFaults: (rules) => mock.faults.set(rules),
    clearFaults: () => mock.faults.clear(),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function serve(mock: MockLlm, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        res.writeHead(413, { 'content-type': 'application/json' }).end('{"error":{"message":"mock: body too large"}}');
        return;
      }
      chunks.push(chunk);
    }
    let body: unknown = null;
    if (size > 0) {
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"mock: body is not valid JSON"}}');
        return;
      }
    }
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[key] = value;
    const answer = await mock.handle({ method: req.method ?? 'GET', path: req.url ?? '/', headers, body, signal: abort.signal });
    if (abort.signal.aborted) return;
    await write(answer, res);
  } catch {
    res.destroy();
  }
}

async function write(answer: MockResponse, res: ServerResponse): Promise<void> {
  res.writeHead(answer.status, answer.headers);
  if ('body' in answer) {
    res.end(answer.body);
    return;
  }
  res.flushHeaders();
  try {
    for await (const frame of answer.stream) {
      if (res.destroyed) return;
      res.write(frame);
    }
    res.end();
  } catch {
    // drop-stream: what was written reaches the client, then the connection ends mid-stream, as a real network failure would
    await new Promise<void>((resolve) => res.write('', () => resolve()));
    res.destroy();
  }
}

/**
 * A `fetch` that answers from the mock in-process, with no socket: for
 * benchmarks that must see only the instrumentation's own cost.
 */
export function createInProcessFetch(mock: MockLlm = new MockLlm()): typeof fetch & { mock: MockLlm } {
  const encoder = new TextEncoder();
  const inProcessFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const headers: Record<string, string> = {};
    new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined)).forEach((value, key) => {
      headers[key] = value;
    });
    const rawBody = init?.body;
    const text = typeof rawBody === 'string' ? rawBody : rawBody instanceof Uint8Array ? Buffer.from(rawBody).toString('utf8') : undefined;
    const request: MockRequest = {
      method: init?.method ?? 'GET',
      path: url.pathname,
      headers,
      body: text === undefined || text === '' ? null : JSON.parse(text),
      signal: init?.signal ?? new AbortController().signal,
    };
    const answer = await mock.handle(request);
    if ('body' in answer) return new Response(answer.body, { status: answer.status, headers: answer.headers });
    const iterator = answer.stream[Symbol.asyncIterator]();
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const next = await iterator.next();
          if (next.done) controller.close();
          else controller.enqueue(encoder.encode(next.value));
        } catch (error) {
          controller.error(error);
        }
      },
      async cancel() {
        await iterator.return?.();
      },
    });
    return new Response(stream, { status: answer.status, headers: answer.headers });
  };
  return Object.assign(inProcessFetch as typeof fetch, { mock });
}
