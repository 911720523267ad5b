/**
 * The OTLP/HTTP receiver: `POST /v1/traces`, `/v1/metrics`, `/v1/logs` in
 * protobuf or JSON, optionally gzip. The bearer token first (401), then
 * admission: 429 + Retry-After before the body is read when `queueRequests`
 * requests are in flight, when the bytes waiting (read, decompressed or being
 * processed) would pass `queueBytes`, or, for spans and logs, when the ledger
 * buffer is full; a body that grows past the byte bound while it is read is
 * refused the same way. So the work waiting is bounded, and `/healthz` and
 * `/metrics` keep answering under overload. Then the body is read with a
 * streaming size limit (413), decoded (400 naming what is malformed) and
 * processed; the reply is the signal's `Export*ServiceResponse` in the
 * request's encoding, with `partial_success` for rejected items.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Logger } from '../logger.js';
import type { ExportIn } from '../normalize/model.js';
import { BackpressureError } from '../processor.js';
import type { Processor, ProcessResult } from '../processor.js';
import type { SelfMetrics } from '../export/self-metrics.js';
import { BEARER_CHALLENGE } from '../util/bearer-token.js';
import type { BearerTokens } from '../util/bearer-token.js';
import { BadEncodingError, BodyTooLargeError, QueueFullError, readBody } from './body.js';
import { decodeLogsJson, decodeMetricsJson, decodeTracesJson, JsonDecodeError } from './decode-json.js';
import { decodeLogsProto } from './decode-logs.js';
import { decodeMetricsProto } from './decode-metrics.js';
import { decodeTracesProto } from './decode-traces.js';
import { ProtoDecodeError } from './proto-reader.js';
import { CONTENT_TYPES, exportResponse, RPC_CODE, statusBody } from './responses.js';
import type { Encoding, Signal } from './responses.js';

export interface OtlpServerOptions {
  processor: Processor;
  self: SelfMetrics;
  /** Tokens accepted in `Authorization: Bearer …`; none required when empty. */
  tokens: BearerTokens;
  bodyLimitBytes: number;
  queueRequests: number;
  queueBytes: number;
  retryAfterMs: number;
  /** True when the ledger buffer has no room: spans and logs are refused before their body is read. */
  ledgerFull: () => boolean;
  logger: Logger;
}

const PATHS: Record<string, Signal> = { '/v1/traces': 'traces', '/v1/metrics': 'metrics', '/v1/logs': 'logs' };

function encodingOf(contentType: string | undefined): Encoding | undefined {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

type Decoder = (buf: Buffer) => ExportIn<never>;
const DECODERS: Record<Signal, Record<Encoding, Decoder>> = {
  traces: { protobuf: decodeTracesProto as Decoder, json: decodeTracesJson as Decoder },
  metrics: { protobuf: decodeMetricsProto as Decoder, json: decodeMetricsJson as Decoder },
  logs: { protobuf: decodeLogsProto as Decoder, json: decodeLogsJson as Decoder },
};

export function createOtlpServer(options: OtlpServerOptions): Server {
  const server = createServer((req, res) => {
    void handle(req, res, options); // errors are answered inside
  });
  server.keepAliveTimeout = 65_000;
  return server;
}

function reply(res: ServerResponse, status: number, encoding: Encoding, body: Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': CONTENT_TYPES[encoding], 'content-length': String(body.length), ...headers });
  res.end(body);
}

/** Ends a request whose body we will not read: reply, then close the connection so the rest is not read. */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, encoding: Encoding, message: string, code: number, headers: Record<string, string> = {}): void {
  const readAll = req.complete;
  reply(res, status, encoding, statusBody(encoding, code, message), readAll ? headers : { ...headers, connection: 'close' });
  if (!readAll) res.once('finish', () => req.destroy());
}

async function handle(req: IncomingMessage, res: ServerResponse, o: OtlpServerOptions): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  if (req.method === 'GET' && (path === '/healthz' || path === '/readyz')) {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    return;
  }
  const signal = PATHS[path];
  if (signal === undefined) return refuse(req, res, 404, 'json', `no such path ${path}: use /v1/traces, /v1/metrics or /v1/logs`, RPC_CODE.unimplemented);
  if (req.method !== 'POST') return refuse(req, res, 405, 'json', `${req.method ?? ''} is not allowed on ${path}: use POST`, RPC_CODE.unimplemented, { allow: 'POST' });
  const encoding = encodingOf(req.headers['content-type']);
  if (!o.tokens.allows(req.headers.authorization)) {
    o.self.countRequest(signal, 401);
    const message = req.headers.authorization === undefined ? 'missing Authorization: Bearer <token>' : 'the bearer token is not one of TOKENMETER_COLLECTOR_OTLP_TOKEN';
    return refuse(req, res, 401, encoding ?? 'json', message, RPC_CODE.unauthenticated, { 'www-authenticate': BEARER_CHALLENGE });
  }
  if (encoding === undefined) {
    o.self.countRequest(signal, 415);
    return refuse(req, res, 415, 'json', `unsupported content-type "${req.headers['content-type'] ?? ''}": use application/x-protobuf or application/json`, RPC_CODE.invalidArgument);
  }
  const contentEncoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  if (contentEncoding !== 'gzip' && contentEncoding !== 'identity') {
    o.self.countRequest(signal, 415);
    return refuse(req, res, 415, encoding, `unsupported content-encoding "${contentEncoding}": use gzip or none`, RPC_CODE.invalidArgument);
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > o.bodyLimitBytes) {
    o.self.countRequest(signal, 413);
    return refuse(req, res, 413, encoding, `body of ${declared} bytes is larger than the limit of ${o.bodyLimitBytes} bytes (TOKENMETER_COLLECTOR_BODY_LIMIT_BYTES)`, RPC_CODE.invalidArgument);
  }
  const retryAfter = { 'retry-after': String(Math.ceil(o.retryAfterMs / 1000)) };
  const busy = admission(o, signal, Number.isFinite(declared) ? declared : 0);
  if (busy !== undefined) {
    o.self.countRequest(signal, 429);
    return refuse(req, res, 429, encoding, busy, RPC_CODE.unavailable, retryAfter);
  }

  // Bytes held by this request: its declared length from admission on, its decompressed size once larger.
  let held = Number.isFinite(declared) ? declared : 0;
  o.self.inflight++;
  o.self.inflightBytes += held;
  try {
    let body: Buffer;
    try {
      body = await readBody(req, o.bodyLimitBytes, contentEncoding === 'gzip', (total) => {
        if (total <= held) return undefined;
        if (o.self.inflight > 1 && o.self.inflightBytes + (total - held) > o.queueBytes) return queueBytesMessage(o);
        o.self.inflightBytes += total - held;
        held = total;
        return undefined;
      });
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        o.self.countRequest(signal, 413);
        return refuse(req, res, 413, encoding, error.message, RPC_CODE.invalidArgument);
      }
      if (error instanceof BadEncodingError) {
        o.self.countRequest(signal, 400);
        return refuse(req, res, 400, encoding, error.message, RPC_CODE.invalidArgument);
      }
      if (error instanceof QueueFullError) {
        o.self.countRequest(signal, 429);
        return refuse(req, res, 429, encoding, error.message, RPC_CODE.unavailable, retryAfter);
      }
      throw error;
    }
    let decoded: ExportIn<never>;
    try {
      decoded = DECODERS[signal][encoding](body);
    } catch (error) {
      if (error instanceof ProtoDecodeError || error instanceof JsonDecodeError) {
        o.self.countRequest(signal, 400);
        return reply(res, 400, encoding, statusBody(encoding, RPC_CODE.invalidArgument, `malformed ${signal} ${encoding} payload: ${error.message}`));
      }
      throw error;
    }
    // Decoding a large body is one long synchronous step; let health checks and scrapes in before processing it.
    await yieldToEventLoop();
    o.self.droppedAttributes += decoded.droppedAttributes;
    let result: ProcessResult;
    try {
      result =
        signal === 'traces' ? await o.processor.traces(decoded) : signal === 'metrics' ? o.processor.metrics(decoded) : await o.processor.logs(decoded);
    } catch (error) {
      if (error instanceof BackpressureError) {
        o.self.countRequest(signal, 429);
        return reply(res, 429, encoding, statusBody(encoding, RPC_CODE.unavailable, error.message), retryAfter);
      }
      throw error;
    }
    let message = result.message;
    if (decoded.droppedAttributes > 0) message ??= `${decoded.droppedAttributes} attributes beyond 128 per item were dropped`;
    o.self.countRequest(signal, 200);
    reply(res, 200, encoding, exportResponse(signal, encoding, result.rejected, message));
  } catch (error) {
    o.logger.error({ err: error, signal }, 'OTLP request failed');
    o.self.countRequest(signal, 500);
    if (!res.headersSent) reply(res, 500, encoding, statusBody(encoding, RPC_CODE.unavailable, 'internal error; see the collector log'));
    else res.destroy();
  } finally {
    o.self.inflight--;
    o.self.inflightBytes -= held;
  }
}

/** Why a request must wait (429), or undefined when it is admitted. One request is always admitted, whatever its size. */
function admission(o: OtlpServerOptions, signal: Signal, declaredBytes: number): string | undefined {
  const self = o.self;
  if (self.inflight >= o.queueRequests) return `collector busy: ${self.inflight} requests in flight (TOKENMETER_COLLECTOR_QUEUE_REQUESTS=${o.queueRequests}); retry later`;
  if (self.inflight > 0 && self.inflightBytes + declaredBytes > o.queueBytes) return queueBytesMessage(o);
  if (signal !== 'metrics' && o.ledgerFull()) return 'ledger buffer full: usage records are waiting for the control plane; retry later';
  return undefined;
}

function queueBytesMessage(o: OtlpServerOptions): string {
  return `collector busy: ${o.self.inflightBytes} bytes waiting to be processed (TOKENMETER_COLLECTOR_QUEUE_BYTES=${o.queueBytes}); retry later`;
}
