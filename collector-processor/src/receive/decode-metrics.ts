/** Decodes `ExportMetricsServiceRequest` protobuf into the pipeline's model (only the fields it reads). */
import type { Attrs, ExportIn, HistogramPointIn, MetricIn, NumberPointIn, Temporality } from '../normalize/model.js';
import { decodeEnvelope, nanosToMillis, readKeyValue } from './decode-common.js';
import type { DecodeStats } from './decode-common.js';
import { ProtoDecodeError } from './proto-reader.js';
import type { ProtoReader } from './proto-reader.js';

export function decodeMetricsProto(buf: Buffer): ExportIn<MetricIn> {
  return decodeEnvelope(buf, { resource: 'ResourceMetrics', scope: 'ScopeMetrics' }, readMetric);
}

function readMetric(r: ProtoReader, end: number, stats: DecodeStats): MetricIn | undefined {
  let name = '';
  let unit = '';
  let description = '';
  let metric: MetricIn | undefined;
  while (r.pos < end) {
    const tag = r.varint();
    const wire = tag & 7;
    const field = tag >>> 3;
    if (wire !== 2) {
      r.skip(wire);
      continue;
    }
    switch (field) {
      case 1:
        name = r.string();
        break;
      case 2:
        description = r.string();
        break;
      case 3:
        unit = r.string();
        break;
      case 5: {
        const sub = readNumberData(r, r.delimited(), stats);
        metric = { name, unit, description, kind: 'gauge', points: sub.points };
        break;
      }
      case 7: {
        const sub = readNumberData(r, r.delimited(), stats);
        metric = { name, unit, description, kind: 'sum', monotonic: sub.monotonic, temporality: sub.temporality, points: sub.points };
        break;
      }
      case 9: {
        const sub = readHistogramData(r, r.delimited(), stats);
        metric = { name, unit, description, kind: 'histogram', temporality: sub.temporality, points: sub.points };
        break;
      }
      case 10:
      case 11: {
        const sub = r.delimited();
        let points = 0;
        while (r.pos < sub) {
          const t = r.varint();
          if ((t >>> 3) === 1 && (t & 7) === 2) points++;
          r.skip(t & 7);
        }
        metric = { name, unit, description, kind: 'unsupported', points };
        break;
      }
      default:
        r.skip(wire);
    }
  }
  if (r.pos !== end) throw new ProtoDecodeError(`Metric overruns its length at byte ${r.pos}`);
  if (metric) {
    // The data field may precede the name on the wire.
    metric.name = name;
    metric.unit = unit;
    metric.description = description;
  }
  return metric;
}

function readNumberData(r: ProtoReader, end: number, stats: DecodeStats): { points: NumberPointIn[]; temporality: Temporality; monotonic: boolean } {
  const points: NumberPointIn[] = [];
  let temporality: Temporality = 0;
  let monotonic = false;
  while (r.pos < end) {
    const tag = r.varint();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === 2) points.push(readNumberPoint(r, r.delimited(), stats));
    else if (field === 2 && (tag & 7) === 0) temporality = toTemporality(r.varint());
    else if (field === 3 && (tag & 7) === 0) monotonic = r.varint() !== 0;
    else r.skip(tag & 7);
  }
  return { points, temporality, monotonic };
}

function readNumberPoint(r: ProtoReader, end: number, stats: DecodeStats): NumberPointIn {
  const point: NumberPointIn = { attrs: {} as Attrs, timeMs: 0, value: 0 };
  stats.itemAttributes = 0;
  while (r.pos < end) {
    const tag = r.varint();
    const wire = tag & 7;
    switch (tag >>> 3) {
      case 3:
        if (wire !== 1) throw new ProtoDecodeError(`NumberDataPoint.time_unix_nano has wire type ${wire}`);
        point.timeMs = nanosToMillis(r.fixed64());
        break;
      case 4:
        if (wire !== 1) throw new ProtoDecodeError(`NumberDataPoint.as_double has wire type ${wire}`);
        point.value = r.double();
        break;
      case 6:
        if (wire !== 1) throw new ProtoDecodeError(`NumberDataPoint.as_int has wire type ${wire}`);
        point.value = r.sfixed64();
        break;
      case 7:
        if (wire !== 2) throw new ProtoDecodeError(`NumberDataPoint.attributes has wire type ${wire}`);
        readKeyValue(r, r.delimited(), point.attrs, stats);
        break;
      default:
        r.skip(wire);
    }
  }
  if (r.pos !== end) throw new ProtoDecodeError(`NumberDataPoint overruns its length at byte ${r.pos}`);
  return point;
}

function readHistogramData(r: ProtoReader, end: number, stats: DecodeStats): { points: HistogramPointIn[]; temporality: Temporality } {
  const points: HistogramPointIn[] = [];
  let temporality: Temporality = 0;
  while (r.pos < end) {
    const tag = r.varint();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === 2) points.push(readHistogramPoint(r, r.delimited(), stats));
    else if (field === 2 && (tag & 7) === 0) temporality = toTemporality(r.varint());
    else r.skip(tag & 7);
  }
  return { points, temporality };
}

function readHistogramPoint(r: ProtoReader, end: number, stats: DecodeStats): HistogramPointIn {
  const point: HistogramPointIn = { attrs: {}, timeMs: 0, count: 0, sum: 0, bucketCounts: [], bounds: [] };
  stats.itemAttributes = 0;
  while (r.pos < end) {
    const tag = r.varint();
    const wire = tag & 7;
    switch (tag >>> 3) {
      case 3:
        if (wire !== 1) throw new ProtoDecodeError(`HistogramDataPoint.time_unix_nano has wire type ${wire}`);
        point.timeMs = nanosToMillis(r.fixed64());
        break;
      case 4:
        if (wire !== 1) throw new ProtoDecodeError(`HistogramDataPoint.count has wire type ${wire}`);
        point.count = r.fixed64();
        break;
      case 5:
        if (wire !== 1) throw new ProtoDecodeError(`HistogramDataPoint.sum has wire type ${wire}`);
        point.sum = r.double();
        break;
      case 6:
        if (wire === 2) {
          const e = r.delimited();
          while (r.pos < e) point.bucketCounts.push(r.fixed64());
        } else if (wire === 1) point.bucketCounts.push(r.fixed64());
        else throw new ProtoDecodeError(`HistogramDataPoint.bucket_counts has wire type ${wire}`);
        break;
      case 7:
        if (wire === 2) {
          const e = r.delimited();
          while (r.pos < e) point.bounds.push(r.double());
        } else if (wire === 1) point.bounds.push(r.double());
        else throw new ProtoDecodeError(`HistogramDataPoint.explicit_bounds has wire type ${wire}`);
        break;
      case 9:
        if (wire !== 2) throw new ProtoDecodeError(`HistogramDataPoint.attributes has wire type ${wire}`);
        readKeyValue(r, r.delimited(), point.attrs, stats);
        break;
      default:
        r.skip(wire);
    }
  }
  if (r.pos !== end) throw new ProtoDecodeError(`HistogramDataPoint overruns its length at byte ${r.pos}`);
  if (point.bucketCounts.length > 0 && point.bucketCounts.length !== point.bounds.length + 1) {
    throw new ProtoDecodeError(`HistogramDataPoint has ${point.bucketCounts.length} bucket_counts for ${point.bounds.length} explicit_bounds (want bounds + 1)`);
  }
  return point;
}

function toTemporality(v: number): Temporality {
  return v === 1 ? 1 : v === 2 ? 2 : 0;
}
