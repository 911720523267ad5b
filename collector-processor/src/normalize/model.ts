/**
 * The decoded shape of an OTLP export request, shared by the protobuf and the
 * JSON decoders: only the fields the pipeline reads. Times are epoch
 * milliseconds (float); ids are lower-case hex.
 */

/** An attribute value; arrays and maps are kept as their JSON text. */
export type AttrValue = string | number | boolean;
/** Attributes by key (first occurrence wins; at most `MAX_ATTRIBUTES` kept). */
export type Attrs = Record<string, AttrValue>;

/** Most attributes kept per resource, scope, span, point or log record; the rest are dropped (counted). */
export const MAX_ATTRIBUTES = 128;
/** Longest attribute string kept; longer values are truncated. */
export const MAX_VALUE_CHARS = 256;

export interface ScopeIn {
  name: string;
  version: string;
}

export interface SpanIn {
  traceId: string;
  spanId: string;
  /** Empty for a root span. */
  parentSpanId: string;
  name: string;
  startMs: number;
  endMs: number;
  attrs: Attrs;
  /** 0 unset, 1 ok, 2 error. */
  statusCode: number;
}

export interface NumberPointIn {
  attrs: Attrs;
  timeMs: number;
  value: number;
}

export interface HistogramPointIn {
  attrs: Attrs;
  timeMs: number;
  count: number;
  sum: number;
  /** Per-bucket (not cumulative) counts; one more than `bounds`. */
  bucketCounts: number[];
  bounds: number[];
}

/** 1 = delta, 2 = cumulative (OTLP `AggregationTemporality`). */
export type Temporality = 0 | 1 | 2;

export type MetricIn =
  | { name: string; unit: string; description: string; kind: 'gauge'; points: NumberPointIn[] }
  | { name: string; unit: string; description: string; kind: 'sum'; monotonic: boolean; temporality: Temporality; points: NumberPointIn[] }
  | { name: string; unit: string; description: string; kind: 'histogram'; temporality: Temporality; points: HistogramPointIn[] }
  /** Exponential histograms and summaries: counted, not exposed. */
  | { name: string; unit: string; description: string; kind: 'unsupported'; points: number };

export interface LogIn {
  timeMs: number;
  spanId: string;
  eventName: string;
  attrs: Attrs;
  /** The body when it is a key-value list (GenAI events put usage there). */
  bodyAttrs: Attrs | undefined;
}

export interface ScopeBlock<T> {
  scope: ScopeIn;
  items: T[];
}

export interface ResourceBlock<T> {
  attrs: Attrs;
  scopes: ScopeBlock<T>[];
}

/** A decoded request; `droppedAttributes` counts attributes beyond `MAX_ATTRIBUTES`. */
export interface ExportIn<T> {
  resources: ResourceBlock<T>[];
  droppedAttributes: number;
}
