/**
 * The pipeline after decoding: spans and uncorrelated GenAI log events
 * become calls (normalise), are enriched from the directory, priced, counted
 * (state) and forwarded to the ledger (export); metrics are passed through.
 * De-duplication rules (README.md):
 * - spans of our own SDK (scope `@tokenmeter/instrumentation`) are not
 *   counted or forwarded unless `TOKENMETER_COLLECTOR_OWN_SPANS` says so: the SDK
 *   counts its calls in its own metrics and reports them to the ledger itself;
 * - metrics are never turned into tokenmeter counters: tokens and cost come
 *   from spans only (one span per call), so an instrumentation that exports
 *   both a span and a semconv token histogram for a call counts it once;
 *   the histogram is passed through as semconv;
 * - in a service that has sent our SDK's spans, OpenAI and Anthropic call
 *   spans of other scopes are not counted: the SDK measures every such call
 *   (a native SDK span split from ours into another export is caught here);
 * - two GenAI call spans in a parent/child relation describe one call
 *   (an instrumentation's span around the SDK's native span): the first
 *   to arrive counts (`SameCallFilter`);
 * - a GenAI log event that carries a span id is not counted (its span is),
 *   unless `TOKENMETER_COLLECTOR_LOG_USAGE=all`.
 * A call with implausible values (tokens beyond any model's context, a time
 * before 2000 or far ahead, an impossible latency: `implausibility()` of the
 * shared protocol) is refused at the door: not priced, counted or forwarded;
 * the rest of the request is processed and the refusal reported as OTLP
 * partial success.
 */
import { createHash } from 'node:crypto';
import { implausibility } from '@tokenmeter/instrumentation/protocol';
import type { UsageRecord } from '@tokenmeter/instrumentation/protocol';
import { formatUsd } from '@tokenmeter/instrumentation/pricing';
import type { CollectorConfig } from './config.js';
import type { Directory } from './enrich/directory.js';
import type { LedgerForwarder } from './export/ledger-forwarder.js';
import { spanToCall } from './normalize/genai-call.js';
import type { GenAiCall } from './normalize/genai-call.js';
import { isExposedMetric, jobOf, LabelSelector, resourceLabels } from './normalize/metric-names.js';
import { makeRoom } from './util/make-room.js';
import { SameCallFilter } from './normalize/same-call-filter.js';
import type { Attrs, ExportIn, LogIn, MetricIn, SpanIn } from './normalize/model.js';
import type { PriceTable } from './price/price-table.js';
import { Passthrough } from './state/passthrough.js';
import type { SeriesStore } from './state/series-store.js';
import { UsageCounters } from './state/usage-counters.js';
import type { SelfMetrics } from './export/self-metrics.js';

/** Instrumentation scope of our own SDK. */
export const OWN_SCOPE = '@tokenmeter/instrumentation';

/** Providers whose SDKs our SDK patches: in a service that runs it, every such call is already measured. */
const SDK_PROVIDERS = new Set(['openai', 'anthropic']);
const MAX_SDK_SERVICES = 100_000;

/** The ledger buffer cannot take this request's calls: answer 429. */
export class BackpressureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackpressureError';
  }
}

export interface ProcessResult {
  rejected: number;
  message: string | undefined;
}

interface PendingCall {
  call: GenAiCall;
  job: string | undefined;
  forward: boolean;
}

export interface ProcessorOptions {
  config: CollectorConfig;
  store: SeriesStore;
  prices: PriceTable;
  directory: Directory | undefined;
  forwarder: LedgerForwarder | undefined;
  self: SelfMetrics;
}

export class Processor {
  private readonly _opts: ProcessorOptions;
  private readonly _counters: UsageCounters;
  private readonly _passthrough: Passthrough;
  private readonly _sameCall = new SameCallFilter();
  /** Services (jobs) seen sending our own SDK's spans: it measures their OpenAI and Anthropic calls itself. */
  private readonly _sdkServices = new Set<string>();

  constructor(options: ProcessorOptions) {
    this._opts = options;
    this._counters = new UsageCounters(options.store);
    this._passthrough = new Passthrough(options.store, new LabelSelector(options.config.labelAllowlist));
  }

  async traces(req: ExportIn<SpanIn>): Promise<ProcessResult> {
    const own = this._opts.config.ownSpans;
    const pending: PendingCall[] = [];
    let spans = 0;
    // Our own spans first: a service that sends them runs our SDK, which
    // measures its OpenAI and Anthropic calls itself, so the native SDK span
    // of such a call (a child of ours that ends, and often arrives, first) is
    // not counted again, in this request or a later one.
    for (const ownPass of [true, false]) {
      for (const rb of req.resources) {
        const job = jobOf(rb.attrs);
        for (const sb of rb.scopes) {
          const isOwn = sb.scope.name === OWN_SCOPE;
          if (isOwn !== ownPass) continue;
          spans += sb.items.length;
          if (isOwn && job !== undefined && sb.items.length > 0) this._rememberSdkService(job);
          if (isOwn && own === 'ignore') {
            this._opts.self.ownSpansSkipped += sb.items.length;
            continue;
          }
          const sdkService = !isOwn && job !== undefined && this._sdkServices.has(job);
          const source = { scopeName: sb.scope.name, resource: rb.attrs };
          for (const span of sb.items) {
            const call = spanToCall(span, source);
            if (!call) continue;
            if (
              (sdkService && SDK_PROVIDERS.has(call.provider)) ||
              !this._sameCall.admit(span.traceId, span.spanId, span.parentSpanId) ||
              !this._sameCall.admitCall(call, job, sb.scope.name)
            ) {
              this._opts.self.sameCallSkipped++;
              continue;
            }
            if (call.id === '') call.id = spanFallbackId(span, rb.attrs);
            pending.push({ call, job, forward: !isOwn || own === 'count-and-forward' });
          }
        }
      }
    }
    this._opts.self.received.spans += spans;
    return this._finish(pending, 'spans');
  }

  private _rememberSdkService(job: string): void {
    if (this._sdkServices.has(job)) return;
    makeRoom(this._sdkServices, MAX_SDK_SERVICES);
    this._sdkServices.add(job);
  }

  metrics(req: ExportIn<MetricIn>): ProcessResult {
    let rejected = 0;
    let message: string | undefined;
    let points = 0;
    for (const rb of req.resources) {
      const res = resourceLabels(rb.attrs, true);
      for (const sb of rb.scopes) {
        for (const metric of sb.items) {
          const n = metric.kind === 'unsupported' ? metric.points : metric.points.length;
          points += n;
          if (!isExposedMetric(metric.name)) {
            this._opts.self.pointsIgnored += n;
            continue;
          }
          const r = this._passthrough.apply(metric, res);
          if (r.rejected > 0) {
            rejected += r.rejected;
            message ??= r.message;
          }
        }
      }
    }
    this._opts.self.received.dataPoints += points;
    this._opts.self.rejectedPoints += rejected;
    this._opts.self.foldedPointsDropped = this._passthrough.droppedFolded;
    return { rejected, message };
  }

  async logs(req: ExportIn<LogIn>): Promise<ProcessResult> {
    const mode = this._opts.config.logUsage;
    const pending: PendingCall[] = [];
    let records = 0;
    for (const rb of req.resources) {
      const job = jobOf(rb.attrs);
      for (const sb of rb.scopes) {
        records += sb.items.length;
        if (mode === 'off' || sb.scope.name === OWN_SCOPE) continue;
        const source = { scopeName: sb.scope.name, resource: rb.attrs };
        for (const log of sb.items) {
          if (mode === 'uncorrelated' && log.spanId !== '') continue;
          const attrs: Attrs = log.bodyAttrs ? { ...log.bodyAttrs, ...log.attrs } : log.attrs;
          const call = spanToCall({ spanId: log.spanId !== '' ? log.spanId : logId(log, rb.attrs), startMs: log.timeMs, endMs: log.timeMs, attrs, statusCode: 0 }, source);
          if (call) pending.push({ call, job, forward: true });
        }
      }
    }
    this._opts.self.received.logRecords += records;
    return this._finish(pending, 'log records');
  }

  /**
   * Refuses implausible calls, then enriches, prices, counts and forwards the
   * rest; refuses the whole request when the ledger buffer cannot take it.
   */
  private async _finish(pending: PendingCall[], items: string): Promise<ProcessResult> {
    if (pending.length === 0) return { rejected: 0, message: undefined };
    const self = this._opts.self;
    const nowMs = Date.now();
    const plausible: PendingCall[] = [];
    const reasons: string[] = [];
    for (const p of pending) {
      const reason = implausibleCall(p.call, nowMs);
      if (reason === undefined) plausible.push(p);
      else reasons.push(reason);
    }
    const forwarder = this._opts.forwarder;
    if (forwarder) {
      const need = plausible.reduce((n, p) => n + (p.forward ? 1 : 0), 0);
      if (need > forwarder.free()) throw new BackpressureError(`ledger buffer full (${forwarder.buffered()} records waiting for the control plane)`);
    }
    // Counted once the request is taken (a 429 is retried by the sender and would count them twice).
    for (const reason of reasons) self.countImplausible(reason);
    const rejected = reasons.length;
    const message = rejected === 0 ? undefined : `${rejected} ${items} refused as implausible (not priced, counted or forwarded); first: ${reasons[0]}`;

    await this._enrich(plausible);
    for (const { call, job, forward } of plausible) {
      const price = this._opts.prices.price(call);
      this._counters.record({ call, priced: price.priced, costUsd: price.costUsd }, job);
      self.calls++;
      if (!price.priced) self.unpricedCalls++;
      if (forwarder && forward) forwarder.offer(toRecord(call, price.priced ? formatUsd(price.costPicoUsd) : null, price.priceId, job));
    }
    return { rejected, message };
  }

  /** Department and org from the directory copy; unknown users ask for one shared early sync at most. */
  private async _enrich(pending: PendingCall[]): Promise<void> {
    const directory = this._opts.directory;
    if (!directory) return;
    let unknown: GenAiCall[] | undefined;
    for (const { call } of pending) {
      const a = call.attribution;
      if (a.user === undefined || (a.department !== undefined && a.org !== undefined)) continue;
      if (!applyEntry(call, directory)) (unknown ??= []).push(call);
    }
    if (unknown === undefined) return;
    await directory.refreshForUnknown();
    for (const call of unknown) applyEntry(call, directory);
  }
}

/** Fills a call's missing department/org from the directory; false when the user is not in it. */
function applyEntry(call: GenAiCall, directory: Directory): boolean {
  const a = call.attribution;
  const entry = directory.get(a.user as string);
  if (!entry) return false;
  if (a.department === undefined && entry.department !== undefined) a.department = entry.department;
  if (a.org === undefined && entry.org !== undefined) a.org = entry.org;
  return true;
}

/** Why a call cannot be a real one (the shared protocol's bounds), or undefined. */
function implausibleCall(call: GenAiCall, nowMs: number): string | undefined {
  const time = isoTime(call.startMs);
  if (time === undefined) return `time: span start ${String(call.startMs)} ms is not a valid instant`;
  return implausibility({ time, tokens: call.tokens, latency_ms: Math.round(call.durationMs) }, nowMs);
}

/** RFC 3339 of epoch ms, or undefined when no `Date` can hold it. */
function isoTime(ms: number): string | undefined {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : undefined;
}

/** A stable id for a span without a span id (invalid OTLP, but do not lose the call). */
function spanFallbackId(span: SpanIn, resource: Attrs): string {
  return createHash('sha256').update(JSON.stringify([resource['service.name'], span.traceId, span.startMs, span.name, span.attrs])).digest('hex').slice(0, 32);
}

/** A stable id for a log event without a span id, so a replayed export dedups in the ledger. */
function logId(log: LogIn, resource: Attrs): string {
  return createHash('sha256').update(JSON.stringify([resource['service.name'], log.timeMs, log.eventName, log.attrs, log.bodyAttrs ?? null])).digest('hex').slice(0, 32);
}

function toRecord(call: GenAiCall, costUsd: string | null, priceId: string | undefined, service: string | undefined): UsageRecord {
  const record: UsageRecord = {
    id: call.id,
    time: new Date(call.startMs).toISOString(),
    provider: call.provider,
    operation: call.operation,
    tokens: call.tokens,
    cost_usd: costUsd,
    price_id: priceId ?? null,
    outcome: call.outcome,
    latency_ms: Math.round(call.durationMs),
    source: 'collector',
  };
  const a = call.attribution;
  if (a.org !== undefined) record.org = a.org;
  if (a.department !== undefined) record.department = a.department;
  if (a.user !== undefined) record.user = a.user;
  if (a.feature !== undefined) record.feature = a.feature;
  if (a.investigation !== undefined) record.investigation = a.investigation;
  if (a.session !== undefined) record.session = a.session;
  if (call.requestModel !== undefined) record.request_model = call.requestModel;
  if (call.responseModel !== undefined) record.response_model = call.responseModel;
  if (call.serviceTier !== undefined) record.service_tier = call.serviceTier;
  if (call.errorType !== undefined) record.error_type = call.errorType;
  if (service !== undefined) record.service = service;
  if (call.fingerprint !== undefined) record.fingerprint = call.fingerprint;
  return record;
}
