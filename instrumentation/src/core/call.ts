/**
 * The call pipeline every patch goes through: `startCall` before the request
 * leaves (GenAI span, gates), `tracker.end(...)` once the outcome and usage are
 * known (pricing, span attributes, sinks). Nothing here throws into the
 * caller except a gate's refusal.
 */
import { context, diag, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Attributes, Context, Span } from '@opentelemetry/api';
import { currentAttribution } from '../attribution/context.js';
import { ATTRIBUTION_KEYS } from '../attribution/resource.js';
import type { Attribution, TokenUsage } from '../protocol.js';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_TOKENS,
  ATTR_OPENAI_REQUEST_SERVICE_TIER,
  ATTR_TOKENMETER_COST_USD,
  ATTR_TOKENMETER_OUTCOME,
  ATTR_TOKENMETER_PRICE_ID,
  ATTR_TOKENMETER_PROMPT_PREFIX_HASH,
  ATTR_TOKENMETER_PROMPT_PREFIX_TOKENS,
  ATTR_TOKENMETER_PROMPT_REQUEST_HASH,
  ATTR_TOKENMETER_UNPRICED,
} from '../semconv.js';
import type { Outcome } from '../semconv.js';
import type { PromptCapture } from '../fingerprint/fingerprint.js';
import { deferFingerprint, fingerprintsInDemand, PendingFingerprint } from '../fingerprint/pending.js';
import { deferAfterCall } from './after-call.js';
import { currentCallScope } from './call-scope.js';
import { ContextOverlay } from './context-overlay.js';
import type { CallScope } from './call-scope.js';
import { currentCatalog } from './catalog.js';
import { randomHexId } from './random-id.js';
import { spanStarter } from './span-starter.js';
import { emitFinished, runGates } from './hooks.js';
import type { CallCost, CallDescriptor, FinishedCall } from './hooks.js';

/** Tracer name of the GenAI spans. */
export const TRACER_NAME = '@tokenmeter/instrumentation';

/** What a patch knows when a call starts. */
export interface CallInput {
  provider: string;
  /** `gen_ai.operation.name`: `chat`, `embeddings`, … */
  operation: string;
  requestModel?: string;
  serviceTier?: string;
  streaming: boolean;
  maxOutputTokens?: number;
  /** Overrides the attribution of the async context. */
  attribution?: Attribution;
  /** What the prompt fingerprint is computed from, after the call (absent when fingerprints are off). */
  prompt?: PromptCapture;
}

/** What a patch knows when a call ends. Every field is optional: a failed or abandoned call records what was seen. */
export interface CallResult {
  responseModel?: string;
  responseId?: string;
  /** The tier the provider actually served (overrides the requested one for pricing). */
  serviceTier?: string;
  tokens?: Partial<TokenUsage>;
  /** Of `tokens.cache_write`, the 1-hour cache writes (Anthropic). */
  cacheWrite1hTokens?: number;
  /** Low-cardinality error type; derived from `error` when absent. */
  errorType?: string;
  error?: unknown;
  /** Why the output ended, per choice (`stop`, `length`, `end_turn`, `max_tokens`, …). */
  finishReasons?: string[];
}

/** One call in flight. */
export interface CallTracker {
  readonly descriptor: CallDescriptor;
  /** The GenAI span (non-recording when no tracer provider is installed). */
  readonly span: Span;
  /** Runs `fn` with the span active, so HTTP client spans nest under it. */
  run<T>(fn: () => T): T;
  /** Prices and records the call; later calls are ignored. */
  end(result?: CallResult): void;
}

/**
 * Starts a call: span, descriptor, gates. A gate's refusal ends the call as
 * `blocked` and is rethrown, before any request leaves; nothing else throws.
 */
export function startCall(input: CallInput): CallTracker {
  let call: Call;
  try {
    call = new Call(input);
  } catch (error) {
    reportOnce('starting a call', error);
    return UNTRACKED;
  }
  call.gate();
  return call;
}

/** The span of a call made while no tracer provider is registered. */
const NOT_RECORDING: Span = trace.wrapSpanContext({ traceId: '00000000000000000000000000000000', spanId: '0000000000000000', traceFlags: 0 });

/** The API's stand-in provider (`NoopTracerProvider`), or no delegate at all. */
function isNoopProvider(delegate: unknown): boolean {
  return delegate === undefined || (delegate as { constructor?: { name?: string } }).constructor?.name === 'NoopTracerProvider';
}

/** Stands in when starting a call failed: the request proceeds unmetered. */
const UNTRACKED: CallTracker = {
  descriptor: { provider: 'unknown', operation: 'unknown', streaming: false, attribution: {} },
  span: NOT_RECORDING,
  run: (fn) => fn(),
  end: () => {},
};

/** Low-cardinality `error.type`: the error's class name, or its HTTP status for a generic API error. */
export function errorTypeOf(error: unknown): string {
  if (error !== null && typeof error === 'object') {
    const name = (error as { constructor?: { name?: unknown } }).constructor?.name;
    const status = (error as { status?: unknown }).status;
    if ((name === 'APIError' || name === 'Error' || name === undefined) && typeof status === 'number') return String(status);
    if (typeof name === 'string' && name !== '' && name !== 'Object') return name;
  }
  return '_OTHER';
}

const tracer = trace.getTracer(TRACER_NAME);

class Call implements CallTracker {
  readonly descriptor: CallDescriptor;
  readonly span: Span;
  private readonly _startTimeMs: number;
  private readonly _startPerf: number;
  private readonly _scope: CallScope | undefined;
  private readonly _prompt: PromptCapture | undefined;
  private _context: Context | undefined;
  private _ended = false;

  constructor(input: CallInput) {
    this._startTimeMs = Date.now();
    this._startPerf = performance.now();
    this._scope = currentCallScope();
    const descriptor: CallDescriptor = {
      provider: input.provider,
      operation: input.operation,
      streaming: input.streaming,
      attribution: input.attribution ?? currentAttribution(),
    };
    if (input.requestModel !== undefined) descriptor.requestModel = input.requestModel;
    if (input.serviceTier !== undefined) descriptor.serviceTier = input.serviceTier;
    if (input.maxOutputTokens !== undefined) descriptor.maxOutputTokens = input.maxOutputTokens;
    this.descriptor = descriptor;
    this._prompt = input.prompt;
    this.span = startSpan(descriptor, this._startTimeMs, this._startPerf);
  }

  gate(): void {
    try {
      runGates(this.descriptor);
    } catch (error) {
      try {
        this._finish({ error }, 'blocked');
      } catch (caught) {
        reportOnce('recording a blocked call', caught);
      }
      throw error;
    }
  }

  run<T>(fn: () => T): T {
    if (!this.span.isRecording()) return fn();
    this._context ??= trace.setSpan(new ContextOverlay(context.active()), this.span);
    return context.with(this._context, fn);
  }

  end(result: CallResult = {}): void {
    if (this._ended) return;
    try {
      const failed = result.error !== undefined || result.errorType !== undefined;
      this._finish(result, failed ? (this._scope?.failureOutcome ?? 'error') : 'ok');
    } catch (error) {
      this._ended = true;
      reportOnce('recording a call', error);
    }
  }

  private _finish(result: CallResult, outcome: Outcome): void {
    this._ended = true;
    const durationMs = performance.now() - this._startPerf;
    const tokens = toTokens(result.tokens);
    const serviceTier = result.serviceTier ?? this.descriptor.serviceTier;
    const cost = this._price(result, tokens, serviceTier);
    const finished: FinishedCall = {
      ...this.descriptor,
      id: callId(this.span),
      startTimeMs: this._startTimeMs,
      durationMs,
      tokens,
      outcome,
      cost,
    };
    if (serviceTier !== undefined) finished.serviceTier = serviceTier;
    if (result.responseModel !== undefined) finished.responseModel = result.responseModel;
    if (result.responseId !== undefined) finished.responseId = result.responseId;
    const errorType = result.errorType ?? (result.error !== undefined ? errorTypeOf(result.error) : undefined);
    if (errorType !== undefined) finished.errorType = errorType;
    if (result.finishReasons !== undefined && result.finishReasons.length > 0) finished.finishReasons = result.finishReasons;
    if (this._prompt !== undefined && outcome !== 'blocked') {
      // Hashing the prompt costs microseconds: it runs after this call, in a batch, when the span or the
      // control plane's reporter will read it; otherwise only if a sink reads it (see fingerprint/pending.ts).
      const input = tokens.input + tokens.cache_read + tokens.cache_write;
      const onError = (error: unknown): void => reportOnce('computing a prompt fingerprint', error);
      const pending = new PendingFingerprint(this._prompt, input, this.descriptor.maxOutputTokens, finished.finishReasons?.[0], onError);
      finished.fingerprint = this.span.isRecording() || fingerprintsInDemand() ? deferFingerprint(pending) : pending;
    }
    if (!this.span.isRecording()) this.span.end();
    else {
      // The span ends (at this time) in the after-call batch, once its fingerprint, if any, is known.
      const span = this.span;
      const endTime = Date.now();
      const end = (): void => {
        try {
          endSpan(span, finished, result.error, endTime);
        } catch (error) {
          reportOnce('ending a call span', error);
        }
      };
      if (finished.fingerprint === undefined) deferAfterCall({ run: end });
      else finished.fingerprint.onSettled(end);
    }
    emitFinished(finished, (error) => reportOnce('a call sink', error));
    const onCallFinished = this._scope?.onCallFinished;
    if (onCallFinished !== undefined) {
      try {
        onCallFinished(finished);
      } catch (error) {
        reportOnce('a call scope listener', error);
      }
    }
  }

  private _price(result: CallResult, tokens: TokenUsage, serviceTier: string | undefined): CallCost {
    try {
      const price = currentCatalog().price({
        provider: this.descriptor.provider,
        model: result.responseModel ?? this.descriptor.requestModel,
        timeMs: this._startTimeMs,
        org: this.descriptor.attribution.org,
        serviceTier,
        tokens,
        cacheWrite1hTokens: result.cacheWrite1hTokens,
      });
      const cost: CallCost = { priced: price.priced, costPicoUsd: price.costPicoUsd, costUsd: price.costUsd };
      if (price.priceId !== undefined) cost.priceId = price.priceId;
      return cost;
    } catch (error) {
      reportOnce('pricing a call', error);
      return { priced: false, costPicoUsd: 0n, costUsd: 0 };
    }
  }
}

function toTokens(tokens: Partial<TokenUsage> | undefined): TokenUsage {
  return {
    input: count(tokens?.input),
    output: count(tokens?.output),
    cache_read: count(tokens?.cache_read),
    cache_write: count(tokens?.cache_write),
    reasoning: count(tokens?.reasoning),
  };
}

/** A token count from a provider: a finite non-negative integer, anything else is 0. */
function count(value: number | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

function startSpan(descriptor: CallDescriptor, startTimeMs: number, startPerf: number): Span {
  const starter = spanStarter();
  // No tracer provider anywhere: the span could not record; skip building it (the usual metrics-only set-up).
  if (starter === undefined && isNoopProvider((trace.getTracerProvider() as { getDelegate?: () => unknown }).getDelegate?.())) return NOT_RECORDING;
  const model = descriptor.requestModel;
  const attributes: Attributes = {
    [ATTR_GEN_AI_OPERATION_NAME]: descriptor.operation,
    [ATTR_GEN_AI_PROVIDER_NAME]: descriptor.provider,
  };
  if (model !== undefined) attributes[ATTR_GEN_AI_REQUEST_MODEL] = model;
  if (descriptor.serviceTier !== undefined && descriptor.provider === 'openai') {
    attributes[ATTR_OPENAI_REQUEST_SERVICE_TIER] = descriptor.serviceTier;
  }
  if (descriptor.maxOutputTokens !== undefined) attributes[ATTR_GEN_AI_REQUEST_MAX_TOKENS] = descriptor.maxOutputTokens;
  const name = model === undefined ? descriptor.operation : `${descriptor.operation} ${model}`;
  return starter === undefined ? tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }) : starter.startSpan(name, attributes, startTimeMs, startPerf, context.active());
}

/**
 * Usage attributes follow semconv: input includes cached input, output includes reasoning.
 * Set one by one, in a fixed order: an object literal with computed keys, then
 * `setAttributes` copying it, cost ~1 µs more per span (CPU profiles of `npm run bench`).
 */
function endSpan(span: Span, call: FinishedCall, error: unknown, endTime?: number): void {
  const { tokens, cost } = call;
  span.setAttribute(ATTR_GEN_AI_USAGE_INPUT_TOKENS, tokens.input + tokens.cache_read + tokens.cache_write);
  span.setAttribute(ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, tokens.output + tokens.reasoning);
  span.setAttribute(ATTR_TOKENMETER_OUTCOME, call.outcome);
  span.setAttribute(ATTR_TOKENMETER_UNPRICED, !cost.priced);
  if (tokens.cache_read > 0) span.setAttribute(ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, tokens.cache_read);
  if (tokens.cache_write > 0) span.setAttribute(ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, tokens.cache_write);
  if (tokens.reasoning > 0) span.setAttribute(ATTR_GEN_AI_USAGE_REASONING_TOKENS, tokens.reasoning);
  if (cost.priced) span.setAttribute(ATTR_TOKENMETER_COST_USD, cost.costUsd);
  if (cost.priceId !== undefined) span.setAttribute(ATTR_TOKENMETER_PRICE_ID, cost.priceId);
  if (call.responseModel !== undefined) span.setAttribute(ATTR_GEN_AI_RESPONSE_MODEL, call.responseModel);
  if (call.responseId !== undefined) span.setAttribute(ATTR_GEN_AI_RESPONSE_ID, call.responseId);
  if (call.finishReasons !== undefined) span.setAttribute(ATTR_GEN_AI_RESPONSE_FINISH_REASONS, call.finishReasons);
  const fingerprint = call.fingerprint?.value;
  if (fingerprint !== undefined) {
    span.setAttribute(ATTR_TOKENMETER_PROMPT_PREFIX_HASH, fingerprint.prefix_hash);
    span.setAttribute(ATTR_TOKENMETER_PROMPT_REQUEST_HASH, fingerprint.request_hash);
    span.setAttribute(ATTR_TOKENMETER_PROMPT_PREFIX_TOKENS, fingerprint.prefix_tokens);
  }
  const attribution = call.attribution;
  for (let i = 0; i < ATTRIBUTION_KEYS.length; i++) {
    const [key, attribute] = ATTRIBUTION_KEYS[i]!;
    const value = attribution[key];
    if (value !== undefined && value !== '') span.setAttribute(attribute, value);
  }
  if (call.errorType !== undefined) {
    span.setAttribute(ATTR_ERROR_TYPE, call.errorType);
    const message = error instanceof Error ? error.message : undefined;
    span.setStatus(message === undefined ? { code: SpanStatusCode.ERROR } : { code: SpanStatusCode.ERROR, message });
  }
  span.end(endTime);
}

/** The span id where the span records, else a random 64-bit id. */
function callId(span: Span): string {
  if (span.isRecording()) {
    const spanId = span.spanContext().spanId;
    if (spanId !== '0000000000000000') return spanId;
  }
  return randomHexId(8);
}

const reported = new Set<string>();

/**
 * Logs an instrumentation fault once per `kind` through `diag`; later ones are
 * silent. A metering fault must never become the caller's outage.
 */
export function reportOnce(kind: string, error: unknown): void {
  if (reported.has(kind)) return;
  reported.add(kind);
  diag.error(`@tokenmeter/instrumentation: ${kind} failed; the call proceeds`, error);
}
