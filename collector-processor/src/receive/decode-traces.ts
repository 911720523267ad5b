/** Decodes `ExportTraceServiceRequest` protobuf into the pipeline's model (only the fields it reads). */
import type { ExportIn, SpanIn } from '../normalize/model.js';
import { decodeEnvelope, nanosToMillis, readKeyValue } from './decode-common.js';
import type { DecodeStats } from './decode-common.js';
import { ProtoDecodeError } from './proto-reader.js';
import type { ProtoReader } from './proto-reader.js';

export function decodeTracesProto(buf: Buffer): ExportIn<SpanIn> {
  return decodeEnvelope(buf, { resource: 'ResourceSpans', scope: 'ScopeSpans' }, readSpan);
}

function readSpan(r: ProtoReader, end: number, stats: DecodeStats): SpanIn {
  const span: SpanIn = { traceId: '', spanId: '', parentSpanId: '', name: '', startMs: 0, endMs: 0, attrs: {}, statusCode: 0 };
  stats.itemAttributes = 0;
  while (r.pos < end) {
    const tag = r.varint();
    const wire = tag & 7;
    switch (tag >>> 3) {
      case 1:
        if (wire !== 2) throw new ProtoDecodeError(`Span.trace_id has wire type ${wire}`);
        span.traceId = r.hex();
        break;
      case 2:
        if (wire !== 2) throw new ProtoDecodeError(`Span.span_id has wire type ${wire}`);
        span.spanId = r.hex();
        break;
      case 4:
        if (wire !== 2) throw new ProtoDecodeError(`Span.parent_span_id has wire type ${wire}`);
        span.parentSpanId = r.hex();
        break;
      case 5:
        if (wire !== 2) throw new ProtoDecodeError(`Span.name has wire type ${wire}`);
        span.name = r.string();
        break;
      case 7:
        if (wire !== 1) throw new ProtoDecodeError(`Span.start_time_unix_nano has wire type ${wire}`);
        span.startMs = nanosToMillis(r.fixed64());
        break;
      case 8:
        if (wire !== 1) throw new ProtoDecodeError(`Span.end_time_unix_nano has wire type ${wire}`);
        span.endMs = nanosToMillis(r.fixed64());
        break;
      case 9:
        if (wire !== 2) throw new ProtoDecodeError(`Span.attributes has wire type ${wire}`);
        readKeyValue(r, r.delimited(), span.attrs, stats);
        break;
      case 15: {
        if (wire !== 2) throw new ProtoDecodeError(`Span.status has wire type ${wire}`);
        const sEnd = r.delimited();
        while (r.pos < sEnd) {
          const t = r.varint();
          if ((t >>> 3) === 3 && (t & 7) === 0) span.statusCode = r.varint();
          else r.skip(t & 7);
        }
        break;
      }
      default:
        r.skip(wire);
    }
  }
  if (r.pos !== end) throw new ProtoDecodeError(`Span overruns its length at byte ${r.pos}`);
  return span;
}
