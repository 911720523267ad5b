/**
 * The OTLP/HTTP receiver: `POST /v1/traces`, `/v1/metrics`, `/v1/logs` in
 * protobuf or JSON, optionally gzip. Admission first (429 + Retry-After when
 * `queueLimit` requests are already in flight), then the body is read with a
 * streaming size limit (413), decoded (400 naming what is malformed) and
 * processed; the reply is the signal's `Export*ServiceResponse` in the
 * request's encoding, with `partial_success` for rejected points.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';
import type { ExportIn } from '../normalize/model.js';
import { BackpressureError } from '../processor.js';
import type { Processor, ProcessResult } from '../processor.js';
import type { SelfMetrics } from '../export/self-metrics.js';
import { BadEncodingError, BodyTooLargeError, readBody } from './body.js';
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
  maxBodyBytes: number;
  queueLimit: number;
  retryAfterSeconds: number;
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
  if (encoding === undefined) {
    o.self.countRequest(signal, 415);
    return refuse(req, res, 415, 'json', `unsupported content-type "${req.headers['content-type'] ?? ''}": use application/x-protobuf or application/json`, RPC_CODE.invalidArgument);
  }
  const contentEncoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  if (contentEncoding !== 'gzip' && contentEncoding !== 'identity') {
    o.self.countRequest(signal, 415);
    return refuse(req, res, 415, encoding, `unsupported content-encoding "${contentEncoding}": use gzip or none`, RPC_CODE.invalidArgument);
  }
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > o.maxBodyBytes) {
    o.self.countRequest(signal, 413);
    return refuse(req, res, 413, encoding, `body of ${declared} bytes is larger than the limit of ${o.maxBodyBytes} bytes (TOKENMETER_MAX_BODY_BYTES)`, RPC_CODE.invalidArgument);
  }
  if (o.self.inflight >= o.queueLimit) {
    o.self.countRequest(signal, 429);
    return refuse(req, res, 429, encoding, `collector busy: ${o.self.inflight} requests in flight (TOKENMETER_QUEUE_LIMIT=${o.queueLimit}); retry later`, RPC_CODE.unavailable, {
      'retry-after': String(o.retryAfterSeconds),
    });
  }

  o.self.inflight++;
  try {
    let body: Buffer;
    try {
      body = await readBody(req, o.maxBodyBytes, contentEncoding === 'gzip');
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        o.self.countRequest(signal, 413);
        return refuse(req, res, 413, encoding, error.message, RPC_CODE.invalidArgument);
      }
      if (error instanceof BadEncodingError) {
        o.self.countRequest(signal, 400);
        return refuse(req, res, 400, encoding, error.message, RPC_CODE.invalidArgument);
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
    o.self.droppedAttributes += decoded.droppedAttributes;
    let result: ProcessResult;
    try {
      result =
        signal === 'traces' ? await o.processor.traces(decoded) : signal === 'metrics' ? o.processor.metrics(decoded) : await o.processor.logs(decoded);
    } catch (error) {
      if (error instanceof BackpressureError) {
        o.self.countRequest(signal, 429);
        return reply(res, 429, encoding, statusBody(encoding, RPC_CODE.unavailable, error.message), { 'retry-after': String(o.retryAfterSeconds) });
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
  }
}
