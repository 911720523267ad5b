/**
 * Decodes OTLP/JSON (the protobuf JSON mapping: lowerCamelCase keys, also
 * accepting the original snake_case ones; hex trace/span ids; 64-bit
 * integers as strings or numbers; enums as integers or names) into the same
 * model as the protobuf decoders. A field of the wrong type is an error
 * naming its path.
 */
import { MAX_ATTRIBUTES, MAX_VALUE_CHARS } from '../normalize/model.js';
import type {
  AttrValue,
  Attrs,
  ExportIn,
  HistogramPointIn,
  LogIn,
  MetricIn,
  NumberPointIn,
  ResourceBlock,
  ScopeIn,
  SpanIn,
  Temporality,
} from '../normalize/model.js';

/** A JSON payload that is not valid OTLP/JSON; the message names the field. */
export class JsonDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonDecodeError';
  }
}

type Obj = Record<string, unknown>;
interface Stats {
  droppedAttributes: number;
}

function parse(buf: Buffer): Obj {
  let value: unknown;
  try {
    value = JSON.parse(buf.toString('utf8'));
  } catch (error) {
    throw new JsonDecodeError(`body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new JsonDecodeError('body must be a JSON object');
  return value as Obj;
}

function field(o: Obj, camel: string, snake: string): unknown {
  const v = o[camel];
  return v === undefined ? o[snake] : v;
}

function arr(o: Obj, camel: string, snake: string, path: string): Obj[] {
  const v = field(o, camel, snake);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new JsonDecodeError(`${path}.${camel} must be an array`);
  return v.map((item, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new JsonDecodeError(`${path}.${camel}[${i}] must be an object`);
    return item as Obj;
  });
}

function obj(o: Obj, camel: string, snake: string, path: string): Obj | undefined {
  const v = field(o, camel, snake);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new JsonDecodeError(`${path}.${camel} must be an object`);
  return v as Obj;
}

function num(o: Obj, camel: string, snake: string, path: string): number {
  const v = field(o, camel, snake);
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(v)) return Number(v);
  if (typeof v === 'string' && (v === 'NaN' || v === 'Infinity' || v === '-Infinity')) return Number(v);
  throw new JsonDecodeError(`${path}.${camel} must be a number or a decimal string`);
}

function str(o: Obj, camel: string, snake: string, path: string): string {
  const v = field(o, camel, snake);
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new JsonDecodeError(`${path}.${camel} must be a string`);
  return v;
}

function hexId(o: Obj, camel: string, snake: string, path: string): string {
  const v = str(o, camel, snake, path);
  if (v !== '' && !/^[0-9a-fA-F]+$/.test(v)) throw new JsonDecodeError(`${path}.${camel} must be hex`);
  return v.toLowerCase();
}

function anyValue(v: Obj, path: string): AttrValue | undefined {
  if ('stringValue' in v || 'string_value' in v) {
    const s = str(v, 'stringValue', 'string_value', path);
    return s.length > MAX_VALUE_CHARS ? s.slice(0, MAX_VALUE_CHARS) : s;
  }
  if ('intValue' in v || 'int_value' in v) return num(v, 'intValue', 'int_value', path);
  if ('doubleValue' in v || 'double_value' in v) return num(v, 'doubleValue', 'double_value', path);
  if ('boolValue' in v || 'bool_value' in v) {
    const b = field(v, 'boolValue', 'bool_value');
    if (typeof b !== 'boolean') throw new JsonDecodeError(`${path}.boolValue must be a boolean`);
    return b;
  }
  for (const [camel, snake] of [
    ['arrayValue', 'array_value'],
    ['kvlistValue', 'kvlist_value'],
    ['bytesValue', 'bytes_value'],
  ] as const) {
    const c = field(v, camel, snake);
    if (c !== undefined) return JSON.stringify(c).slice(0, MAX_VALUE_CHARS);
  }
  return undefined;
}

function attributes(list: Obj[], path: string, into: Attrs, stats: Stats): Attrs {
  let n = Object.keys(into).length;
  list.forEach((kv, i) => {
    const p = `${path}[${i}]`;
    const key = str(kv, 'key', 'key', p);
    const value = obj(kv, 'value', 'value', p);
    if (value === undefined) return;
    const v = anyValue(value, `${p}.value`);
    if (v === undefined || key in into) return;
    if (n >= MAX_ATTRIBUTES) {
      stats.droppedAttributes++;
      return;
    }
    into[key] = v;
    n++;
  });
  return into;
}

function resourceAttrs(block: Obj, path: string, stats: Stats): Attrs {
  const res = obj(block, 'resource', 'resource', path);
  return res ? attributes(arr(res, 'attributes', 'attributes', `${path}.resource`), `${path}.resource.attributes`, {}, stats) : {};
}

function scopeOf(block: Obj, path: string): ScopeIn {
  const s = obj(block, 'scope', 'scope', path);
  return s ? { name: str(s, 'name', 'name', `${path}.scope`), version: str(s, 'version', 'version', `${path}.scope`) } : { name: '', version: '' };
}

function walk<T>(
  root: Obj,
  names: { resource: [string, string]; scope: [string, string]; items: [string, string] },
  item: (o: Obj, path: string, stats: Stats) => T | undefined,
): ExportIn<T> {
  const stats: Stats = { droppedAttributes: 0 };
  const resources: ResourceBlock<T>[] = arr(root, names.resource[0], names.resource[1], '').map((rb, i) => {
    const rp = `${names.resource[0]}[${i}]`;
    return {
      attrs: resourceAttrs(rb, rp, stats),
      scopes: arr(rb, names.scope[0], names.scope[1], rp).map((sb, j) => {
        const sp = `${rp}.${names.scope[0]}[${j}]`;
        const items: T[] = [];
        arr(sb, names.items[0], names.items[1], sp).forEach((o, k) => {
          const v = item(o, `${sp}.${names.items[0]}[${k}]`, stats);
          if (v !== undefined) items.push(v);
        });
        return { scope: scopeOf(sb, sp), items };
      }),
    };
  });
  return { resources, droppedAttributes: stats.droppedAttributes };
}

export function decodeTracesJson(buf: Buffer): ExportIn<SpanIn> {
  return walk(parse(buf), { resource: ['resourceSpans', 'resource_spans'], scope: ['scopeSpans', 'scope_spans'], items: ['spans', 'spans'] }, (o, p, stats) => {
    const status = obj(o, 'status', 'status', p);
    let statusCode = 0;
    if (status) {
      const code = field(status, 'code', 'code');
      statusCode = code === 'STATUS_CODE_ERROR' ? 2 : code === 'STATUS_CODE_OK' ? 1 : num(status, 'code', 'code', `${p}.status`);
    }
    return {
      traceId: hexId(o, 'traceId', 'trace_id', p),
      spanId: hexId(o, 'spanId', 'span_id', p),
      parentSpanId: hexId(o, 'parentSpanId', 'parent_span_id', p),
      name: str(o, 'name', 'name', p),
      startMs: num(o, 'startTimeUnixNano', 'start_time_unix_nano', p) / 1e6,
      endMs: num(o, 'endTimeUnixNano', 'end_time_unix_nano', p) / 1e6,
      attrs: attributes(arr(o, 'attributes', 'attributes', p), `${p}.attributes`, {}, stats),
      statusCode,
    };
  });
}

function temporality(o: Obj, path: string): Temporality {
  const v = field(o, 'aggregationTemporality', 'aggregation_temporality');
  if (v === 'AGGREGATION_TEMPORALITY_DELTA') return 1;
  if (v === 'AGGREGATION_TEMPORALITY_CUMULATIVE') return 2;
  const n = num(o, 'aggregationTemporality', 'aggregation_temporality', path);
  return n === 1 ? 1 : n === 2 ? 2 : 0;
}

function numberPoints(data: Obj, path: string, stats: Stats): NumberPointIn[] {
  return arr(data, 'dataPoints', 'data_points', path).map((dp, i) => {
    const p = `${path}.dataPoints[${i}]`;
    const hasInt = field(dp, 'asInt', 'as_int') !== undefined;
    return {
      attrs: attributes(arr(dp, 'attributes', 'attributes', p), `${p}.attributes`, {}, stats),
      timeMs: num(dp, 'timeUnixNano', 'time_unix_nano', p) / 1e6,
      value: hasInt ? num(dp, 'asInt', 'as_int', p) : num(dp, 'asDouble', 'as_double', p),
    };
  });
}

function numberList(o: Obj, camel: string, snake: string, path: string): number[] {
  const v = field(o, camel, snake);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new JsonDecodeError(`${path}.${camel} must be an array`);
  return v.map((x, i) => num({ x }, 'x', 'x', `${path}.${camel}[${i}]`));
}

export function decodeMetricsJson(buf: Buffer): ExportIn<MetricIn> {
  return walk(parse(buf), { resource: ['resourceMetrics', 'resource_metrics'], scope: ['scopeMetrics', 'scope_metrics'], items: ['metrics', 'metrics'] }, (o, p, stats): MetricIn | undefined => {
    const name = str(o, 'name', 'name', p);
    const unit = str(o, 'unit', 'unit', p);
    const description = str(o, 'description', 'description', p);
    const gauge = obj(o, 'gauge', 'gauge', p);
    if (gauge) return { name, unit, description, kind: 'gauge', points: numberPoints(gauge, `${p}.gauge`, stats) };
    const sum = obj(o, 'sum', 'sum', p);
    if (sum) {
      const monotonic = field(sum, 'isMonotonic', 'is_monotonic') === true;
      return { name, unit, description, kind: 'sum', monotonic, temporality: temporality(sum, `${p}.sum`), points: numberPoints(sum, `${p}.sum`, stats) };
    }
    const hist = obj(o, 'histogram', 'histogram', p);
    if (hist) {
      const points: HistogramPointIn[] = arr(hist, 'dataPoints', 'data_points', `${p}.histogram`).map((dp, i) => {
        const pp = `${p}.histogram.dataPoints[${i}]`;
        const point: HistogramPointIn = {
          attrs: attributes(arr(dp, 'attributes', 'attributes', pp), `${pp}.attributes`, {}, stats),
          timeMs: num(dp, 'timeUnixNano', 'time_unix_nano', pp) / 1e6,
          count: num(dp, 'count', 'count', pp),
          sum: num(dp, 'sum', 'sum', pp),
          bucketCounts: numberList(dp, 'bucketCounts', 'bucket_counts', pp),
          bounds: numberList(dp, 'explicitBounds', 'explicit_bounds', pp),
        };
        if (point.bucketCounts.length > 0 && point.bucketCounts.length !== point.bounds.length + 1) {
          throw new JsonDecodeError(`${pp}.bucketCounts has ${point.bucketCounts.length} entries for ${point.bounds.length} explicitBounds (want bounds + 1)`);
        }
        return point;
      });
      return { name, unit, description, kind: 'histogram', temporality: temporality(hist, `${p}.histogram`), points };
    }
    for (const [camel, snake] of [
      ['exponentialHistogram', 'exponential_histogram'],
      ['summary', 'summary'],
    ] as const) {
      const other = obj(o, camel, snake, p);
      if (other) return { name, unit, description, kind: 'unsupported', points: arr(other, 'dataPoints', 'data_points', `${p}.${camel}`).length };
    }
    return undefined;
  });
}

export function decodeLogsJson(buf: Buffer): ExportIn<LogIn> {
  return walk(parse(buf), { resource: ['resourceLogs', 'resource_logs'], scope: ['scopeLogs', 'scope_logs'], items: ['logRecords', 'log_records'] }, (o, p, stats) => {
    const body = obj(o, 'body', 'body', p);
    const kv = body ? obj(body, 'kvlistValue', 'kvlist_value', `${p}.body`) : undefined;
    return {
      timeMs: num(o, 'timeUnixNano', 'time_unix_nano', p) / 1e6,
      spanId: hexId(o, 'spanId', 'span_id', p),
      eventName: str(o, 'eventName', 'event_name', p),
      attrs: attributes(arr(o, 'attributes', 'attributes', p), `${p}.attributes`, {}, stats),
      bodyAttrs: kv ? attributes(arr(kv, 'values', 'values', `${p}.body.kvlistValue`), `${p}.body.kvlistValue.values`, {}, stats) : undefined,
    };
  });
}
