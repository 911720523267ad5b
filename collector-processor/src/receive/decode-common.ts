/**
 * Decoders of the OTLP common messages (`KeyValue`, `AnyValue`, `Resource`,
 * `InstrumentationScope`) and the export-request envelope, shared by the
 * trace, metric and log decoders.
 */
import { MAX_ATTRIBUTES, MAX_VALUE_CHARS } from '../normalize/model.js';
import type { AttrValue, Attrs, ExportIn, ResourceBlock, ScopeBlock, ScopeIn } from '../normalize/model.js';
import { ProtoDecodeError, ProtoReader } from './proto-reader.js';

/** Counts attributes dropped beyond the per-item limit during one decode. */
export interface DecodeStats {
  droppedAttributes: number;
  /** Attributes kept on the item being decoded; reset by the caller at each item. */
  itemAttributes: number;
}

/** Reads one `KeyValue` (ending at `end`) into `attrs`, unless the item already holds `MAX_ATTRIBUTES`. */
export function readKeyValue(r: ProtoReader, end: number, attrs: Attrs, stats: DecodeStats): void {
  let key: string | undefined;
  let value: AttrValue | undefined;
  while (r.pos < end) {
    const tag = r.varint();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === 2) key = r.string();
    else if (field === 2 && (tag & 7) === 2) value = readAnyValue(r, r.delimited());
    else r.skip(tag & 7);
  }
  if (r.pos !== end) throw new ProtoDecodeError(`KeyValue overruns its length at byte ${r.pos}`);
  if (key === undefined || value === undefined) return;
  if (attrs[key] !== undefined) return;
  if (stats.itemAttributes >= MAX_ATTRIBUTES) {
    stats.droppedAttributes++;
    return;
  }
  stats.itemAttributes++;
  attrs[key] = value;
}

/** Reads an `AnyValue` ending at `end`: scalars as themselves, arrays and maps as JSON text. */
export function readAnyValue(r: ProtoReader, end: number): AttrValue | undefined {
  let value: AttrValue | undefined;
  while (r.pos < end) {
    const tag = r.varint();
    const wire = tag & 7;
    switch (tag >>> 3) {
      case 1:
        if (wire !== 2) throw new ProtoDecodeError(`AnyValue.string_value has wire type ${wire}`);
        value = r.string();
        if (value.length > MAX_VALUE_CHARS) value = value.slice(0, MAX_VALUE_CHARS);
        break;
      case 2:
        value = r.varint() !== 0;
        break;
      case 3:
        value = r.int64();
        break;
      case 4:
        if (wire !== 1) throw new ProtoDecodeError(`AnyValue.double_value has wire type ${wire}`);
        value = r.double();
        break;
      case 5:
      case 6: {
        // Arrays and maps carry no usage we read; keep a short JSON text so labels stay strings.
        const sub = r.delimited();
        value = JSON.stringify(readComposite(r, sub, (tag >>> 3) === 6)).slice(0, MAX_VALUE_CHARS);
        break;
      }
      default:
        r.skip(wire);
    }
  }
  if (r.pos !== end) throw new ProtoDecodeError(`AnyValue overruns its length at byte ${r.pos}`);
  return value;
}

function readComposite(r: ProtoReader, end: number, isMap: boolean): unknown {
  const out: unknown[] = [];
  const map: Record<string, unknown> = {};
  while (r.pos < end) {
    const tag = r.varint();
    if ((tag >>> 3) === 1 && (tag & 7) === 2) {
      const sub = r.delimited();
      if (isMap) {
        let key = '';
        let value: unknown;
        while (r.pos < sub) {
          const t = r.varint();
          if ((t >>> 3) === 1 && (t & 7) === 2) key = r.string();
          else if ((t >>> 3) === 2 && (t & 7) === 2) value = readAnyValue(r, r.delimited());
          else r.skip(t & 7);
        }
        map[key] = value;
      } else out.push(readAnyValue(r, sub));
    } else r.skip(tag & 7);
  }
  return isMap ? map : out;
}

/** Reads the attributes of a `Resource` (ending at `end`). */
export function readResource(r: ProtoReader, end: number, stats: DecodeStats): Attrs {
  const attrs: Attrs = {};
  stats.itemAttributes = 0;
  while (r.pos < end) {
    const tag = r.varint();
    if ((tag >>> 3) === 1 && (tag & 7) === 2) readKeyValue(r, r.delimited(), attrs, stats);
    else r.skip(tag & 7);
  }
  return attrs;
}

/** Reads an `InstrumentationScope` (ending at `end`). */
export function readScope(r: ProtoReader, end: number): ScopeIn {
  const scope: ScopeIn = { name: '', version: '' };
  while (r.pos < end) {
    const tag = r.varint();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === 2) scope.name = r.string();
    else if (field === 2 && (tag & 7) === 2) scope.version = r.string();
    else r.skip(tag & 7);
  }
  return scope;
}

/** Nanoseconds (a float from fixed64) to epoch milliseconds. */
export function nanosToMillis(nanos: number): number {
  return nanos / 1e6;
}

/** Names of one signal's envelope messages, for error messages. */
export interface EnvelopeNames {
  resource: string;
  scope: string;
}

/**
 * The envelope every OTLP export request shares: repeated Resource{Spans,Metrics,Logs}
 * (field 1), each with a resource (1) and repeated Scope… (2), each with a scope (1)
 * and repeated items (2). `readItem` decodes one item, or returns undefined to drop it.
 */
export function decodeEnvelope<T>(
  buf: Buffer,
  names: EnvelopeNames,
  readItem: (r: ProtoReader, end: number, stats: DecodeStats) => T | undefined,
): ExportIn<T> {
  const r = new ProtoReader(buf);
  const stats: DecodeStats = { droppedAttributes: 0, itemAttributes: 0 };
  const resources: ResourceBlock<T>[] = [];
  while (r.pos < buf.length) {
    const tag = r.varint();
    if (tag === 0) throw new ProtoDecodeError('field number 0 at byte 0');
    if ((tag >>> 3) === 1 && (tag & 7) === 2) resources.push(readResourceBlock(r, r.delimited(), stats, names, readItem));
    else r.skip(tag & 7);
  }
  return { resources, droppedAttributes: stats.droppedAttributes };
}

function readResourceBlock<T>(
  r: ProtoReader,
  end: number,
  stats: DecodeStats,
  names: EnvelopeNames,
  readItem: (r: ProtoReader, end: number, stats: DecodeStats) => T | undefined,
): ResourceBlock<T> {
  const block: ResourceBlock<T> = { attrs: {}, scopes: [] };
  while (r.pos < end) {
    const tag = r.varint();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === 2) block.attrs = readResource(r, r.delimited(), stats);
    else if (field === 2 && (tag & 7) === 2) block.scopes.push(readScopeBlock(r, r.delimited(), stats, names, readItem));
    else r.skip(tag & 7);
  }
  if (r.pos !== end) throw new ProtoDecodeError(`${names.resource} overruns its length at byte ${r.pos}`);
  return block;
}

function readScopeBlock<T>(
  r: ProtoReader,
  end: number,
  stats: DecodeStats,
  names: EnvelopeNames,
  readItem: (r: ProtoReader, end: number, stats: DecodeStats) => T | undefined,
): ScopeBlock<T> {
  const block: ScopeBlock<T> = { scope: { name: '', version: '' }, items: [] };
  while (r.pos < end) {
    const tag = r.varint();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === 2) block.scope = readScope(r, r.delimited());
    else if (field === 2 && (tag & 7) === 2) {
      const item = readItem(r, r.delimited(), stats);
      if (item !== undefined) block.items.push(item);
    } else r.skip(tag & 7);
  }
  if (r.pos !== end) throw new ProtoDecodeError(`${names.scope} overruns its length at byte ${r.pos}`);
  return block;
}
