/**
 * The call pipeline's GenAI spans when the SDK owns the tracer provider: the
 * spans the OpenTelemetry SDK's own tracer makes with that provider's
 * settings (parent-based always-on sampling, 128 attributes, events and links
 * at most, no value length limit), built without its per-value validation
 * and copying (a `WeakSet` and an options object per attribute in
 * sdk-trace 3.1), and handed to the provider's span processor as its own
 * spans are. Measured on the bench machine (`bench/spans.js`): start, 16
 * attributes, end ~2.5 µs through the SDK tracer, ~0.9 µs here. The exported
 * span is the same, byte for byte (test/telemetry/lean-span.test.ts).
 */
import { SpanKind, SpanStatusCode, TraceFlags, trace, type Attributes, type AttributeValue, type Context, type Exception, type HrTime, type Link, type Span, type SpanContext, type SpanStatus, type TimeInput } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace';
import { randomHexId } from '../core/random-id.js';
import { otelSdk } from './otel-sdk.js';

type CoreFunctions = Pick<ReturnType<typeof otelSdk.core>, 'addHrTimes' | 'hrTime' | 'hrTimeDuration' | 'isTracingSuppressed' | 'millisToHrTime'>;
let coreFunctions: CoreFunctions | undefined;

/**
 * The `@opentelemetry/core` functions a span calls, read once: the bundle's
 * module object reaches each export through a getter (esbuild's `__export`),
 * ~5 getter calls per span otherwise.
 */
function core(): CoreFunctions {
  if (coreFunctions !== undefined) return coreFunctions;
  const { addHrTimes, hrTime, hrTimeDuration, isTracingSuppressed, millisToHrTime } = otelSdk.core();
  return (coreFunctions = { addHrTimes, hrTime, hrTimeDuration, isTracingSuppressed, millisToHrTime });
}

/** The SDK tracer's defaults (sdk-trace 3.1 `TracerProvider`, which reads no environment variable). */
const COUNT_LIMIT = 128;

export interface LeanTracerOptions {
  resource: Resource;
  /** The provider's span processor (its batch processor). */
  processor: SpanProcessor;
  scope: InstrumentationScope;
}

/** Starts CLIENT spans as the SDK tracer of the same provider would. */
export class LeanTracer {
  private readonly _options: LeanTracerOptions;

  constructor(options: LeanTracerOptions) {
    this._options = options;
  }

  /** A recording span, or a non-recording one where the parent is not sampled or tracing is suppressed. */
  startSpan(name: string, attributes: Attributes, startTimeMs: number, startPerf: number, context: Context): Span {
    if (core().isTracingSuppressed(context)) return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    const parent = trace.getSpanContext(context);
    const validParent = parent !== undefined && trace.isSpanContextValid(parent) ? parent : undefined;
    const spanContext: SpanContext = {
      traceId: validParent?.traceId ?? randomHexId(16),
      spanId: randomHexId(8),
      traceFlags: TraceFlags.SAMPLED,
      traceState: validParent?.traceState,
    };
    // Parent-based, always on at the root: a parent that is not sampled is followed.
    if (validParent !== undefined && (validParent.traceFlags & TraceFlags.SAMPLED) === 0) {
      return trace.wrapSpanContext({ ...spanContext, traceFlags: TraceFlags.NONE });
    }
    const span = new LeanSpan(name, spanContext, validParent, attributes, startTimeMs, startPerf, this._options);
    this._options.processor.onStart(span, context);
    return span;
  }
}

const INVALID_SPAN_CONTEXT: SpanContext = { traceId: '00000000000000000000000000000000', spanId: '0000000000000000', traceFlags: TraceFlags.NONE };

// Shared until a span sets its own (nothing mutates them): a span that only gets attributes allocates no more.
const UNSET_STATUS: SpanStatus = Object.freeze({ code: SpanStatusCode.UNSET });
const NOT_ENDED: HrTime = Object.freeze([0, 0]) as unknown as HrTime;
const NO_DURATION: HrTime = Object.freeze([-1, -1]) as unknown as HrTime;
const NO_LINKS: Link[] = Object.freeze([]) as unknown as Link[];
const NO_EVENTS: TimedEvent[] = Object.freeze([]) as unknown as TimedEvent[];

/** A recording span that is also the `ReadableSpan` the exporters read. */
export class LeanSpan implements Span, ReadableSpan {
  readonly kind = SpanKind.CLIENT;
  readonly startTime: HrTime;
  endTime: HrTime = NOT_ENDED;
  duration: HrTime = NO_DURATION;
  status: SpanStatus = UNSET_STATUS;
  links: Link[] = NO_LINKS;
  events: TimedEvent[] = NO_EVENTS;
  ended = false;
  droppedAttributesCount = 0;
  droppedEventsCount = 0;
  droppedLinksCount = 0;
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  private _attributeCount: number;
  private readonly _processor: SpanProcessor;
  private readonly _startPerf: number;

  constructor(
    public name: string,
    private readonly _spanContext: SpanContext,
    readonly parentSpanContext: SpanContext | undefined,
    /** Owned by the span from here on (the caller builds it for this span). */
    readonly attributes: Attributes,
    startTimeMs: number,
    startPerf: number,
    options: LeanTracerOptions,
  ) {
    this.startTime = core().millisToHrTime(startTimeMs);
    this._startPerf = startPerf;
    this._attributeCount = Object.keys(attributes).length;
    this.resource = options.resource;
    this.instrumentationScope = options.scope;
    this._processor = options.processor;
  }

  spanContext(): SpanContext {
    return this._spanContext;
  }

  setAttribute(key: string, value: AttributeValue | undefined): this {
    if (this.ended || value === undefined || key === '' || !isAttributeValue(value)) return this;
    if (!Object.hasOwn(this.attributes, key)) {
      if (this._attributeCount >= COUNT_LIMIT) {
        this.droppedAttributesCount++;
        return this;
      }
      this._attributeCount++;
    }
    this.attributes[key] = Array.isArray(value) ? value.slice() : value;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const key in attributes) if (Object.hasOwn(attributes, key)) this.setAttribute(key, attributes[key]);
    return this;
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (this.ended) return this;
    if (this.events === NO_EVENTS) this.events = [];
    if (this.events.length >= COUNT_LIMIT) {
      this.events.shift();
      this.droppedEventsCount++;
    }
    const isTime = isTimeInput(attributesOrTime);
    const attributes: Attributes = {};
    if (!isTime && attributesOrTime !== undefined) for (const [key, value] of Object.entries(attributesOrTime)) if (value !== undefined && isAttributeValue(value)) attributes[key] = value;
    this.events.push({ name, time: this._time(isTime ? attributesOrTime : time), attributes, droppedAttributesCount: 0 });
    return this;
  }

  addLink(link: Link): this {
    if (this.ended) return this;
    if (this.links === NO_LINKS) this.links = [];
    if (this.links.length >= COUNT_LIMIT) {
      this.links.shift();
      this.droppedLinksCount++;
    }
    this.links.push({ context: link.context, attributes: { ...link.attributes }, droppedAttributesCount: 0 });
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (this.ended || status.code === SpanStatusCode.UNSET || this.status.code === SpanStatusCode.OK) return this;
    this.status = status.code === SpanStatusCode.ERROR && typeof status.message === 'string' ? { code: status.code, message: status.message } : { code: status.code };
    return this;
  }

  updateName(name: string): this {
    if (!this.ended) this.name = name;
    return this;
  }

  isRecording(): boolean {
    return !this.ended;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: Attributes = {};
    if (typeof exception === 'string') attributes['exception.message'] = exception;
    else if (exception !== undefined && exception !== null) {
      if (exception.code !== undefined) attributes['exception.type'] = exception.code.toString();
      else if (exception.name !== undefined) attributes['exception.type'] = exception.name;
      if (exception.message !== undefined) attributes['exception.message'] = exception.message;
      if (exception.stack !== undefined) attributes['exception.stacktrace'] = exception.stack;
    }
    if (attributes['exception.type'] !== undefined || attributes['exception.message'] !== undefined) this.addEvent('exception', attributes, time);
  }

  end(endTime?: TimeInput): void {
    if (this.ended) return;
    this.endTime = this._time(endTime);
    this.duration = core().hrTimeDuration(this.startTime, this.endTime);
    if (this.duration[0] < 0) {
      this.endTime = this.startTime.slice() as HrTime;
      this.duration = [0, 0];
    }
    this.ended = true;
    this._processor.onEnd(this);
  }

  /** A time input as the SDK span reads it; none = the start time plus the time elapsed since (monotonic). */
  private _time(input: TimeInput | undefined): HrTime {
    const { addHrTimes, hrTime, millisToHrTime } = core();
    if (input === undefined) return addHrTimes(this.startTime, millisToHrTime(performance.now() - this._startPerf));
    if (typeof input === 'number') return input <= performance.now() ? hrTime(input) : millisToHrTime(input);
    if (input instanceof Date) return millisToHrTime(input.getTime());
    return input;
  }
}

function isAttributeValue(value: unknown): value is AttributeValue {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return true;
    default:
      return Array.isArray(value) && value.every((item) => item === null || item === undefined || ['string', 'number', 'boolean'].includes(typeof item));
  }
}

function isTimeInput(value: unknown): value is TimeInput {
  return typeof value === 'number' || value instanceof Date || (Array.isArray(value) && value.length === 2 && typeof value[0] === 'number');
}
