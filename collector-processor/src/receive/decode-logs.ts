/** Decodes `ExportLogsServiceRequest` protobuf into the pipeline's model (only the fields it reads). */
import type { Attrs, ExportIn, LogIn } from '../normalize/model.js';
import { decodeEnvelope, nanosToMillis, readKeyValue } from './decode-common.js';
import type { DecodeStats } from './decode-common.js';
import { ProtoDecodeError } from './proto-reader.js';
import type { ProtoReader } from './proto-reader.js';

export function decodeLogsProto(buf: Buffer): ExportIn<LogIn> {
  return decodeEnvelope(buf, { resource: 'ResourceLogs', scope: 'ScopeLogs' }, readLog);
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
