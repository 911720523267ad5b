/**
 * When the application installed its own metrics SDK, our producer cannot be
 * attached to its readers: publish through its global meter instead —
 * observable counters read the accumulator at collection time, histograms are
 * recorded per call with the accumulator's cached attribute objects (no
 * attribute object is built per call). The app's own views and cardinality
 * limit apply on this path.
 */
import type { Histogram, Meter } from '@opentelemetry/api';
import type { FinishedCall } from '../core/hooks.js';
import {
  ATTR_GEN_AI_TOKEN_TYPE,
  DURATION_BUCKETS_SECONDS,
  METRIC_GEN_AI_CLIENT_INFERENCE_DURATION,
  METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_INPUT,
  METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_OUTPUT,
  METRIC_GEN_AI_CLIENT_OPERATION_DURATION,
  METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
  METRIC_TOKENMETER_COST,
  METRIC_TOKENMETER_REQUESTS,
  METRIC_TOKENMETER_TOKENS,
  METRIC_TOKENMETER_UNPRICED,
  TOKEN_TYPES,
  TOKEN_USAGE_BUCKETS,
} from '../semconv.js';
import { Series, type Accumulator, type OutcomeSeries } from './accumulator.js';
import { METRIC_TOKENMETER_CARDINALITY_OVERFLOW } from './producer.js';

export class ApiBridge {
  private readonly _tokenUsage: Histogram | undefined;
  private readonly _durations: Histogram[] = [];

  constructor(
    private readonly _accumulator: Accumulator,
    meter: Meter,
    semconv: { stable: boolean; latestExperimental: boolean },
  ) {
    const tokens = meter.createObservableCounter(METRIC_TOKENMETER_TOKENS, { unit: '{token}', description: 'Tokens used by LLM calls, by type' });
    const cost = meter.createObservableCounter(METRIC_TOKENMETER_COST, { unit: '{USD}', description: 'Cost of LLM calls in USD' });
    const requests = meter.createObservableCounter(METRIC_TOKENMETER_REQUESTS, { unit: '{request}', description: 'LLM calls by outcome' });
    const unpriced = meter.createObservableCounter(METRIC_TOKENMETER_UNPRICED, { unit: '{request}', description: 'LLM calls whose model has no price' });
    const overflow = meter.createObservableCounter(METRIC_TOKENMETER_CARDINALITY_OVERFLOW, {
      unit: '{request}',
      description: 'Calls whose user.id label was dropped by the user cardinality limit',
    });
    const observed = [tokens, cost, requests, unpriced, overflow];
    const inputCounter = semconv.latestExperimental
      ? meter.createObservableCounter(METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_INPUT, { unit: '{token}', description: 'Input tokens used by GenAI inference' })
      : undefined;
    const outputCounter = semconv.latestExperimental
      ? meter.createObservableCounter(METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_OUTPUT, { unit: '{token}', description: 'Output tokens used by GenAI inference' })
      : undefined;
    if (inputCounter !== undefined && outputCounter !== undefined) observed.push(inputCounter, outputCounter);
    meter.addBatchObservableCallback((result) => {
      result.observe(overflow, this._accumulator.overflowCalls);
      for (const series of this._accumulator.series.values()) {
        TOKEN_TYPES.forEach((type, i) => result.observe(tokens, series.tokens[i] as number, { ...series.attributes, [ATTR_GEN_AI_TOKEN_TYPE]: type }));
        result.observe(cost, series.costUsd, series.attributes);
        if (series.unpriced > 0) result.observe(unpriced, series.unpriced, series.attributes);
        for (const outcome of series.outcomes.values()) result.observe(requests, outcome.requests, outcome.requestAttributes);
        if (inputCounter !== undefined && series.inputTokens.count > 0) result.observe(inputCounter, series.inputTokens.sum, series.attributes);
        if (outputCounter !== undefined && series.outputTokens.count > 0) result.observe(outputCounter, series.outputTokens.sum, series.attributes);
      }
    }, observed);
    const tokenAdvice = { advice: { explicitBucketBoundaries: [...TOKEN_USAGE_BUCKETS] } };
    const durationAdvice = { advice: { explicitBucketBoundaries: [...DURATION_BUCKETS_SECONDS] } };
    if (semconv.stable) {
      this._tokenUsage = meter.createHistogram(METRIC_GEN_AI_CLIENT_TOKEN_USAGE, { unit: '{token}', description: 'Measures number of input and output tokens used', ...tokenAdvice });
      this._durations.push(meter.createHistogram(METRIC_GEN_AI_CLIENT_OPERATION_DURATION, { unit: 's', description: 'GenAI operation duration', ...durationAdvice }));
    }
    if (semconv.latestExperimental) {
      this._durations.push(meter.createHistogram(METRIC_GEN_AI_CLIENT_INFERENCE_DURATION, { unit: 's', description: 'GenAI inference duration', ...durationAdvice }));
    }
  }

  /** Records the histograms of one call that the accumulator has just counted into `outcome`. */
  record(call: FinishedCall, outcome: OutcomeSeries): void {
    const seconds = call.durationMs / 1000;
    for (const duration of this._durations) duration.record(seconds, outcome.durationAttributes);
    if (this._tokenUsage !== undefined && Series.hasUsage(call)) {
      const t = call.tokens;
      this._tokenUsage.record(t.input + t.cache_read + t.cache_write, outcome.series.inputAttributes);
      if (call.operation !== 'embeddings') this._tokenUsage.record(t.output + t.reasoning, outcome.series.outputAttributes);
    }
  }
}
