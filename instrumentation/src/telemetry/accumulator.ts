/**
 * In-process accumulation of every finished call, keyed by its label set,
 * exported at collection time (DESIGN.md, performance notes: recording eight
 * instruments with nine attributes each costs ~12 µs per call; a map lookup
 * and a few additions cost well under one).
 */
import type { Attributes } from '@opentelemetry/api';
import type { FinishedCall } from '../core/hooks.js';
import type { Attribution } from '../protocol.js';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_TOKEN_TYPE,
  ATTR_TOKENMETER_DEPARTMENT,
  ATTR_TOKENMETER_FEATURE,
  ATTR_TOKENMETER_ORG,
  ATTR_TOKENMETER_OUTCOME,
  ATTR_TOKENMETER_PROJECT,
  ATTR_USER_ID,
  DURATION_BUCKETS_SECONDS,
  TOKEN_USAGE_BUCKETS,
} from '../semconv.js';
import type { Outcome } from '../semconv.js';
import { HistogramState } from './histogram.js';

/** Per outcome and error type of one label set: requests and their durations. */
export class OutcomeSeries {
  requests = 0;
  readonly duration = new HistogramState(DURATION_BUCKETS_SECONDS);
  /** Base labels + `tokenmeter.outcome` (+ `error.type`): `tokenmeter.requests`. */
  readonly requestAttributes: Attributes;
  /** Base labels (+ `error.type`): the duration histograms. */
  readonly durationAttributes: Attributes;

  constructor(
    /** The label set this outcome belongs to. */
    readonly series: Series,
    outcome: Outcome,
    errorType: string | undefined,
  ) {
    const base = series.attributes;
    this.requestAttributes = errorType === undefined ? { ...base, [ATTR_TOKENMETER_OUTCOME]: outcome } : { ...base, [ATTR_TOKENMETER_OUTCOME]: outcome, [ATTR_ERROR_TYPE]: errorType };
    this.durationAttributes = errorType === undefined ? base : { ...base, [ATTR_ERROR_TYPE]: errorType };
  }
}

/** Everything counted for one label set (provider, operation, models, org, department, feature, user). */
export class Series {
  /** Tokens by type, in `TOKEN_TYPES` order. */
  readonly tokens = [0, 0, 0, 0, 0];
  costUsd = 0;
  unpriced = 0;
  /** semconv `gen_ai.client.token.usage` with semconv semantics: input includes cache, output includes reasoning. */
  readonly inputTokens = new HistogramState(TOKEN_USAGE_BUCKETS);
  readonly outputTokens = new HistogramState(TOKEN_USAGE_BUCKETS);
  readonly outcomes = new Map<string, OutcomeSeries>();
  readonly startTimeMs = Date.now();
  /** Base labels + `gen_ai.token.type=input|output`: the token histograms, built once. */
  readonly inputAttributes: Attributes;
  readonly outputAttributes: Attributes;

  constructor(readonly attributes: Attributes) {
    this.inputAttributes = { ...attributes, [ATTR_GEN_AI_TOKEN_TYPE]: 'input' };
    this.outputAttributes = { ...attributes, [ATTR_GEN_AI_TOKEN_TYPE]: 'output' };
  }

  /** Whether the call's token histograms are recorded (a refused or failed call reports no usage). */
  static hasUsage(call: FinishedCall): boolean {
    const t = call.tokens;
    return call.outcome === 'ok' || t.input + t.output + t.cache_read + t.cache_write + t.reasoning > 0;
  }
}

export interface AccumulatorOptions {
  /** Distinct `user.id` values kept as labels; beyond it a call's user label is dropped (counted in `overflowCalls`). */
  userCardinalityLimit: number;
  /** Called once, the first time the limit folds a user. */
  onFirstOverflow?: (limit: number) => void;
}

/** What the accumulator resolved for one attribution object (cached by identity). */
interface AttributionSlot {
  /** The user label kept (undefined when absent or dropped by the limit). */
  readonly user: string | undefined;
  /** The user label was dropped by the cardinality limit. */
  readonly overflowed: boolean;
  /** The attribution part of the series key. */
  readonly key: string;
  /** The series of this slot's last call, reused while provider, operation and models repeat. */
  last: Series | undefined;
  lastProvider: string;
  lastOperation: string;
  lastRequestModel: string | undefined;
  lastResponseModel: string | undefined;
}

export class Accumulator {
  /** Every label set, by its full key (what the exporters read). */
  readonly series = new Map<string, Series>();
  /** Calls whose user label was dropped by the cardinality limit. */
  overflowCalls = 0;
  private readonly _users = new Set<string>();
  private readonly _limit: number;
  private readonly _onFirstOverflow: ((limit: number) => void) | undefined;
  /**
   * Attribution objects are shared by every call of one context (see
   * `currentAttribution`), so the usual per-call path is a WeakMap hit and
   * four string comparisons: no key string is built, no attribute hashed.
   */
  private readonly _slots = new WeakMap<Attribution, AttributionSlot>();

  constructor(options: AccumulatorOptions) {
    this._limit = options.userCardinalityLimit;
    this._onFirstOverflow = options.onFirstOverflow;
  }

  /** Counts one call; returns the outcome series it landed in (its cached attribute objects serve synchronous instruments). */
  record(call: FinishedCall): OutcomeSeries {
    const a = call.attribution;
    let slot = this._slots.get(a);
    if (slot === undefined) {
      slot = this._slot(a);
      this._slots.set(a, slot);
    }
    if (slot.overflowed && this.overflowCalls++ === 0) this._onFirstOverflow?.(this._limit);
    const series = this._seriesOf(call, slot);
    const t = call.tokens;
    const tokens = series.tokens;
    tokens[0] = (tokens[0] as number) + t.input;
    tokens[1] = (tokens[1] as number) + t.output;
    tokens[2] = (tokens[2] as number) + t.cache_read;
    tokens[3] = (tokens[3] as number) + t.cache_write;
    tokens[4] = (tokens[4] as number) + t.reasoning;
    if (call.cost.priced) series.costUsd += call.cost.costUsd;
    else if (call.outcome !== 'blocked') series.unpriced++;
    if (Series.hasUsage(call)) {
      series.inputTokens.record(t.input + t.cache_read + t.cache_write);
      if (call.operation !== 'embeddings') series.outputTokens.record(t.output + t.reasoning);
    }
    const outcomeKey = call.errorType === undefined ? call.outcome : `${call.outcome}\u0001${call.errorType}`;
    let outcome = series.outcomes.get(outcomeKey);
    if (outcome === undefined) {
      outcome = new OutcomeSeries(series, call.outcome, call.errorType);
      series.outcomes.set(outcomeKey, outcome);
    }
    outcome.requests++;
    outcome.duration.record(call.durationMs / 1000);
    return outcome;
  }

  /** Admits or drops the user of a newly seen attribution object; stable, since admitted users are never forgotten. */
  private _slot(a: Attribution): AttributionSlot {
    let user = a.user;
    let overflowed = false;
    if (user !== undefined && !this._users.has(user)) {
      if (this._users.size < this._limit) this._users.add(user);
      else {
        user = undefined;
        overflowed = true;
      }
    }
    const key = `${a.org ?? ''}\u0001${a.department ?? ''}\u0001${a.feature ?? ''}\u0001${user ?? ''}\u0001${a.project ?? ''}`;
    return { user, overflowed, key, last: undefined, lastProvider: '', lastOperation: '', lastRequestModel: undefined, lastResponseModel: undefined };
  }

  private _seriesOf(call: FinishedCall, slot: AttributionSlot): Series {
    const last = slot.last;
    if (
      last !== undefined &&
      slot.lastProvider === call.provider &&
      slot.lastOperation === call.operation &&
      slot.lastRequestModel === call.requestModel &&
      slot.lastResponseModel === call.responseModel
    ) {
      return last;
    }
    const key = `${call.provider}\u0001${call.operation}\u0001${call.requestModel ?? ''}\u0001${call.responseModel ?? ''}\u0001${slot.key}`;
    let series = this.series.get(key);
    if (series === undefined) {
      series = new Series(baseAttributes(call, slot.user));
      this.series.set(key, series);
    }
    slot.last = series;
    slot.lastProvider = call.provider;
    slot.lastOperation = call.operation;
    slot.lastRequestModel = call.requestModel;
    slot.lastResponseModel = call.responseModel;
    return series;
  }
}

/** The label set of a call; values missing from the context are omitted, never `''`. */
function baseAttributes(call: FinishedCall, user: string | undefined): Attributes {
  const attrs: Attributes = { [ATTR_GEN_AI_PROVIDER_NAME]: call.provider, [ATTR_GEN_AI_OPERATION_NAME]: call.operation };
  if (call.requestModel !== undefined) attrs[ATTR_GEN_AI_REQUEST_MODEL] = call.requestModel;
  if (call.responseModel !== undefined) attrs[ATTR_GEN_AI_RESPONSE_MODEL] = call.responseModel;
  const a = call.attribution;
  if (a.org !== undefined) attrs[ATTR_TOKENMETER_ORG] = a.org;
  if (a.department !== undefined) attrs[ATTR_TOKENMETER_DEPARTMENT] = a.department;
  if (a.feature !== undefined) attrs[ATTR_TOKENMETER_FEATURE] = a.feature;
  if (a.project !== undefined) attrs[ATTR_TOKENMETER_PROJECT] = a.project;
  if (user !== undefined) attrs[ATTR_USER_ID] = user;
  return attrs;
}
