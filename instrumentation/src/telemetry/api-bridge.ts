/**
 * When the application installed its own metrics SDK, our producer cannot be
 * attached to its readers: publish through its global meter instead —
 * observable counters read the accumulator at collection time, histograms are
 * recorded per call with the series' cached attribute objects.
 */
import type { Histogram, Meter } from '@opentelemetry/api';
import type { FinishedCall } from '../core/hooks.js';
import {
  ATTR_GEN_AI_TOKEN_TYPE,
  DURATION_BUCKETS_SECONDS,
  METRIC_GEN_AI_CLIENT_INFERENCE_DURATION,
  METRIC_GEN_AI_CLIENT_OPERATION_DURATION,
  METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
  METRIC_TOKENMETER_COST,
  METRIC_TOKENMETER_REQUESTS,
  METRIC_TOKENMETER_TOKENS,
  METRIC_TOKENMETER_UNPRICED,
  TOKEN_TYPES,
  TOKEN_USAGE_BUCKETS,
} from '../semconv.js';
import type { Accumulator } from './accumulator.js';

export class ApiBridge {
  private readonly _histograms: Array<{ tokens?: Histogram; duration: Histogram }> = [];

  constructor(
    private readonly _accumulator: Accumulator,
    meter: Meter,
    semconv: { stable: boolean; latestExperimental: boolean },
  ) {
    const tokens = meter.createObservableCounter(METRIC_TOKENMETER_TOKENS, { unit: '{token}', description: 'Tokens used by LLM calls, by type' });
    const cost = meter.createObservableCounter(METRIC_TOKENMETER_COST, { unit: '{USD}', description: 'Cost of LLM calls in USD' });
    const requests = meter.createObservableCounter(METRIC_TOKENMETER_REQUESTS, { unit: '{request}', description: 'LLM calls by outcome' });
    const unpriced = meter.createObservableCounter(METRIC_TOKENMETER_UNPRICED, { unit: '{request}', description: 'LLM calls whose model has no price' });
    meter.addBatchObservableCallback(
      (result) => {
        for (const series of this._accumulator.series.values()) {
          TOKEN_TYPES.forEach((type, i) => result.observe(tokens, series.tokens[i] as number, { ...series.attributes, [ATTR_GEN_AI_TOKEN_TYPE]: type }));
          result.observe(cost, series.costUsd, series.attributes);
          if (series.unpriced > 0) result.observe(unpriced, series.unpriced, series.attributes);
          for (const outcome of series.outcomes.values()) result.observe(requests, outcome.requests, outcome.requestAttributes);
        }
      },
      [tokens, cost, requests, unpriced],
    );
    const tokenAdvice = { advice: { explicitBucketBoundaries: [...TOKEN_USAGE_BUCKETS] } };
    const durationAdvice = { advice: { explicitBucketBoundaries: [...DURATION_BUCKETS_SECONDS] } };
    if (semconv.stable) {
      this._histograms.push({
        tokens: meter.createHistogram(METRIC_GEN_AI_CLIENT_TOKEN_USAGE, { unit: '{token}', description: 'Measures number of input and output tokens used', ...tokenAdvice }),
        duration: meter.createHistogram(METRIC_GEN_AI_CLIENT_OPERATION_DURATION, { unit: 's', description: 'GenAI operation duration', ...durationAdvice }),
      });
    }
    if (semconv.latestExperimental) {
      this._histograms.push({ duration: meter.createHistogram(METRIC_GEN_AI_CLIENT_INFERENCE_DURATION, { unit: 's', description: 'GenAI inference duration', ...durationAdvice }) });
    }
  }

  /** Records the histograms of one call (the accumulator has already counted it). */
  record(call: FinishedCall): void {
    const t = call.tokens;
    for (const { tokens, duration } of this._histograms) {
      const attrs = { 'gen_ai.provider.name': call.provider, 'gen_ai.operation.name': call.operation, ...(call.requestModel !== undefined ? { 'gen_ai.request.model': call.requestModel } : {}) };
      duration.record(call.durationMs / 1000, call.errorType === undefined ? attrs : { ...attrs, 'error.type': call.errorType });
      if (tokens !== undefined && call.outcome !== 'blocked') {
        tokens.record(t.input + t.cache_read + t.cache_write, { ...attrs, [ATTR_GEN_AI_TOKEN_TYPE]: 'input' });
        if (call.operation !== 'embeddings') tokens.record(t.output + t.reasoning, { ...attrs, [ATTR_GEN_AI_TOKEN_TYPE]: 'output' });
      }
    }
  }
}
