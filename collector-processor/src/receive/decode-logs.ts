/** Decodes `ExportLogsServiceRequest` protobuf into the pipeline's model (only the fields it reads). */
import type { Attrs, ExportIn, LogIn, ResourceBlock, ScopeBlock } from '../normalize/model.js';
import { nanosToMillis, readKeyValue, readResource, readScope } from './decode-common.js';
import type { DecodeStats } from './decode-common.js';
import { ProtoDecodeError, ProtoReader } from './proto-reader.js';

export function decodeLogsProto(buf: Buffer): ExportIn<LogIn> {
  const r = new ProtoReader(buf);
  const stats: DecodeStats = { droppedAttributes: 0, itemAttributes: 0 };
  const resources: ResourceBlock<LogIn>[] = [];
  while (r.pos < buf.length) {
    const tag = r.varint();
    if (tag === 0) throw new ProtoDecodeError('field number 0 at byte 0');
    if ((tag >>> 3) === 1 && (tag & 7) === 2) resources.push(readResourceLogs(r, r.delimited(), stats));
    else r.skip(tag & 7);
  }
  return { resources, droppedAttributes: stats.droppedAttributes };
}

function readResourceLogs(r: ProtoReader, end: number, stats: DecodeStats): ResourceBlock<LogIn> {
  const block: ResourceBlock<LogIn> = { attrs: {}, scopes: [] };
  while (r.pos < end) {
    const tag = r.varint();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === 2) block.attrs = readResource(r, r.delimited(), stats);
    else if (field === 2 && (tag & 7) === 2) block.scopes.push(readScopeLogs(r, r.delimited(), stats));
    else r.skip(tag & 7);
  }
  if (r.pos !== end) throw new ProtoDecodeError(`ResourceLogs overruns its length at byte ${r.pos}`);
  return block;
}

function readScopeLogs(r: ProtoReader, end: number, stats: DecodeStats): ScopeBlock<LogIn> {
  const block: ScopeBlock<LogIn> = { scope: { name: '', version: '' }, items: [] };
  while (r.pos < end) {
    const tag = r.varint();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === 2) block.scope = readScope(r, r.delimited());
    else if (field === 2 && (tag & 7) === 2) block.items.push(readLog(r, r.delimited(), stats));
    else r.skip(tag & 7);
  }
  if (r.pos !== end) throw new ProtoDecodeError(`ScopeLogs overruns its length at byte ${r.pos}`);
  return block;
}

function readLog(r: ProtoReader, end: number, stats: DecodeStats): LogIn {
  const log: LogIn = { timeMs: 0, spanId: '', eventName: '', attrs: {}, bodyAttrs: undefined };
  stats.itemAttributes = 0;
  while (r.pos < end) {
    const tag = r.varint();
    const wire = tag & 7;
    switch (tag >>> 3) {
      case 1:
        if (wire !== 1) throw new ProtoDecodeError(`LogRecord.time_unix_nano has wire type ${wire}`);
        log.timeMs = nanosToMillis(r.fixed64());
        break;
      case 5:
        if (wire !== 2) throw new ProtoDecodeError(`LogRecord.body has wire type ${wire}`);
        log.bodyAttrs = readBodyMap(r, r.delimited(), stats);
        break;
      case 6:
        if (wire !== 2) throw new ProtoDecodeError(`LogRecord.attributes has wire type ${wire}`);
        readKeyValue(r, r.delimited(), log.attrs, stats);
        break;
      case 10:
        if (wire !== 2) throw new ProtoDecodeError(`LogRecord.span_id has wire type ${wire}`);
        log.spanId = r.hex();
        break;
      case 12:
        if (wire !== 2) throw new ProtoDecodeError(`LogRecord.event_name has wire type ${wire}`);
        log.eventName = r.string();
        break;
      default:
        r.skip(wire);
    }
  }
  if (r.pos !== end) throw new ProtoDecodeError(`LogRecord overruns its length at byte ${r.pos}`);
  return log;
}

/** The body's key-value list (AnyValue field 6 → KeyValueList field 1), or undefined for other bodies. */
function readBodyMap(r: ProtoReader, end: number, stats: DecodeStats): Attrs | undefined {
  let attrs: Attrs | undefined;
  while (r.pos < end) {
    const tag = r.varint();
    if ((tag >>> 3) === 6 && (tag & 7) === 2) {
      const kvEnd = r.delimited();
      attrs = {};
      while (r.pos < kvEnd) {
        const t = r.varint();
        if ((t >>> 3) === 1 && (t & 7) === 2) readKeyValue(r, r.delimited(), attrs, stats);
        else r.skip(t & 7);
      }
    } else r.skip(tag & 7);
  }
  return attrs;
}
