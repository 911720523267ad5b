/**
 * OTLP/HTTP replies in the request's encoding: `Export*ServiceResponse` with
 * `partial_success` on success, `google.rpc.Status` on failure.
 */
export type Signal = 'traces' | 'metrics' | 'logs';
export type Encoding = 'protobuf' | 'json';

export const CONTENT_TYPES: Record<Encoding, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };

/** JSON names of the `rejected_*` field of each signal's partial success. */
const REJECTED_JSON: Record<Signal, string> = { traces: 'rejectedSpans', metrics: 'rejectedDataPoints', logs: 'rejectedLogRecords' };

function varint(out: number[], v: number): void {
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

function stringField(out: number[], field: number, s: string): void {
  const bytes = Buffer.from(s, 'utf8');
  varint(out, (field << 3) | 2);
  varint(out, bytes.length);
  for (const b of bytes) out.push(b);
}

/** The success reply; empty (all accepted) unless `rejected` > 0 or a message is given. */
export function exportResponse(signal: Signal, encoding: Encoding, rejected: number, message: string | undefined): Buffer {
  if (encoding === 'json') {
    if (rejected === 0 && message === undefined) return Buffer.from('{}');
    return Buffer.from(JSON.stringify({ partialSuccess: { [REJECTED_JSON[signal]]: String(rejected), errorMessage: message ?? '' } }));
  }
  if (rejected === 0 && message === undefined) return Buffer.alloc(0);
  const inner: number[] = [];
  if (rejected > 0) {
    varint(inner, (1 << 3) | 0);
    varint(inner, rejected);
  }
  if (message !== undefined) stringField(inner, 2, message);
  const out: number[] = [];
  varint(out, (1 << 3) | 2);
  varint(out, inner.length);
  return Buffer.from([...out, ...inner]);
}

/** gRPC status codes used in `google.rpc.Status` replies. */
export const RPC_CODE = { invalidArgument: 3, resourceExhausted: 8, unimplemented: 12, unavailable: 14, unauthenticated: 16 } as const;

/** A `google.rpc.Status` reply body. */
export function statusBody(encoding: Encoding, code: number, message: string): Buffer {
  if (encoding === 'json') return Buffer.from(JSON.stringify({ code, message }));
  const out: number[] = [];
  varint(out, (1 << 3) | 0);
  varint(out, code);
  stringField(out, 2, message);
  return Buffer.from(out);
}
