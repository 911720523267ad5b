/** Decodes `ExportTraceServiceRequest` protobuf into the pipeline's model (only the fields it reads). */
import type { ExportIn, ResourceBlock, ScopeBlock, SpanIn } from '../normalize/model.js';
import { nanosToMillis, readKeyValue, readResource, readScope } from './decode-common.js';
import type { DecodeStats } from './decode-common.js';
import { ProtoDecodeError, ProtoReader } from './proto-reader.js';

export function decodeTracesProto(buf: Buffer): ExportIn<SpanIn> {
  const r = new ProtoReader(buf);
  const stats: DecodeStats = { droppedAttributes: 0, itemAttributes: 0 };
  const resources: ResourceBlock<SpanIn>[] = [];
  while (r.pos < buf.length) {
    const tag = r.varint();
    if (tag === 0) throw new ProtoDecodeError('field number 0 at byte 0');
    if ((tag >>> 3) === 1 && (tag & 7) === 2) resources.push(readResourceSpans(r, r.delimited(), stats));
    else r.skip(tag & 7);
  }
  return { resources, droppedAttributes: stats.droppedAttributes };
}

function readResourceSpans(r: ProtoReader, end: number, stats: DecodeStats): ResourceBlock<SpanIn> {
  const block: ResourceBlock<SpanIn> = { attrs: {}, scopes: [] };
  while (r.pos < end) {
    const tag = r.varint();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === 2) block.attrs = readResource(r, r.delimited(), stats);
    else if (field === 2 && (tag & 7) === 2) block.scopes.push(readScopeSpans(r, r.delimited(), stats));
    else r.skip(tag & 7);
  }
  if (r.pos !== end) throw new ProtoDecodeError(`ResourceSpans overruns its length at byte ${r.pos}`);
  return block;
}

function readScopeSpans(r: ProtoReader, end: number, stats: DecodeStats): ScopeBlock<SpanIn> {
  const block: ScopeBlock<SpanIn> = { scope: { name: '', version: '' }, items: [] };
  while (r.pos < end) {
    const tag = r.varint();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === 2) block.scope = readScope(r, r.delimited());
    else if (field === 2 && (tag & 7) === 2) block.items.push(readSpan(r, r.delimited(), stats));
    else r.skip(tag & 7);
  }
  if (r.pos !== end) throw new ProtoDecodeError(`ScopeSpans overruns its length at byte ${r.pos}`);
  return block;
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
