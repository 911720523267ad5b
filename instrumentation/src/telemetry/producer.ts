/**
 * Exports the accumulator through the metrics SDK as a `MetricProducer`:
 * cumulative sums and explicit-bucket histograms built at collection time,
 * so the per-call path never touches an instrument.
 */
import { ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import type { CollectionResult, DataPoint, Histogram, MetricData, MetricProducer } from '@opentelemetry/sdk-metrics';
import {
  ATTR_GEN_AI_TOKEN_TYPE,
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
} from '../semconv.js';
import type { Accumulator } from './accumulator.js';
import type { HistogramState } from './histogram.js';
import { otelSdk } from './otel-sdk.js';

/** Instrumentation scope of the metrics. */
export const METER_NAME = '@tokenmeter/instrumentation';
/** Calls whose `user.id` label was dropped by the cardinality limit. */
export const METRIC_TOKENMETER_CARDINALITY_OVERFLOW = 'tokenmeter.cardinality.overflow';

export interface ProducerOptions {
  version: string;
  /** Emit the v1.41 histograms (`gen_ai.client.token.usage`, `gen_ai.client.operation.duration`). */
  stable: boolean;
  /** Emit the newer `gen_ai.client.inference.*` names. */
  latestExperimental: boolean;
}

export class AccumulatorProducer implements MetricProducer {
  private readonly _startTime: HrTime = hrTimeOf(Date.now());

  constructor(
    private readonly _accumulator: Accumulator,
    private readonly _options: ProducerOptions,
  ) {}

  async collect(): Promise<CollectionResult> {
    return { resourceMetrics: { resource: otelSdk.resources().emptyResource(), scopeMetrics: [{ scope: { name: METER_NAME, version: this._options.version }, metrics: this.metrics() }] }, errors: [] };
  }

  /** The metric data as of now (synchronous; `collect` wraps it). */
  metrics(): MetricData[] {
    const end = hrTimeOf(Date.now());
    const start = this._startTime;
    const point = <T>(attributes: Attributes, value: T): DataPoint<T> => ({ startTime: start, endTime: end, attributes, value });
    const tokens: DataPoint<number>[] = [];
    const cost: DataPoint<number>[] = [];
    const unpriced: DataPoint<number>[] = [];
    const requests: DataPoint<number>[] = [];
    const tokenUsage: DataPoint<Histogram>[] = [];
    const inputCounter: DataPoint<number>[] = [];
    const outputCounter: DataPoint<number>[] = [];
    const duration: DataPoint<Histogram>[] = [];
    for (const series of this._accumulator.series.values()) {
      const attrs = series.attributes;
      TOKEN_TYPES.forEach((type, i) => tokens.push(point({ ...attrs, [ATTR_GEN_AI_TOKEN_TYPE]: type }, series.tokens[i] as number)));
      cost.push(point(attrs, series.costUsd));
      if (series.unpriced > 0) unpriced.push(point(attrs, series.unpriced));
      if (series.inputTokens.count > 0) {
        tokenUsage.push(point(series.inputAttributes, histogram(series.inputTokens)));
        inputCounter.push(point(attrs, series.inputTokens.sum));
      }
      if (series.outputTokens.count > 0) {
        tokenUsage.push(point(series.outputAttributes, histogram(series.outputTokens)));
        outputCounter.push(point(attrs, series.outputTokens.sum));
      }
      for (const outcome of series.outcomes.values()) {
        requests.push(point(outcome.requestAttributes, outcome.requests));
        duration.push(point(outcome.durationAttributes, histogram(outcome.duration)));
      }
    }
    const out: MetricData[] = [
      sum(METRIC_TOKENMETER_TOKENS, 'Tokens used by LLM calls, by type (types are disjoint: they sum to the billed total)', '{token}', tokens, ValueType.INT),
      sum(METRIC_TOKENMETER_COST, 'Cost of LLM calls in USD, priced by the tokenmeter catalog', '{USD}', cost, ValueType.DOUBLE),
      sum(METRIC_TOKENMETER_REQUESTS, 'LLM calls by outcome (ok, error, blocked, fallback)', '{request}', requests, ValueType.INT),
      sum(METRIC_TOKENMETER_UNPRICED, 'LLM calls whose model has no price in the catalog (never priced at a silent $0)', '{request}', unpriced, ValueType.INT),
      sum(
        METRIC_TOKENMETER_CARDINALITY_OVERFLOW,
        'Calls whose user.id label was dropped by the user cardinality limit',
        '{request}',
        [point({}, this._accumulator.overflowCalls)],
        ValueType.INT,
      ),
    ];
    if (this._options.stable) {
      out.push(
        hist(METRIC_GEN_AI_CLIENT_TOKEN_USAGE, 'Measures number of input and output tokens used', '{token}', tokenUsage),
        hist(METRIC_GEN_AI_CLIENT_OPERATION_DURATION, 'GenAI operation duration', 's', duration),
      );
    }
    if (this._options.latestExperimental) {
      out.push(
        sum(METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_INPUT, 'Input tokens used by GenAI inference', '{token}', inputCounter, ValueType.INT),
        sum(METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_OUTPUT, 'Output tokens used by GenAI inference', '{token}', outputCounter, ValueType.INT),
        hist(METRIC_GEN_AI_CLIENT_INFERENCE_DURATION, 'GenAI inference duration', 's', duration),
      );
    }
    return out;
  }
}

function sum(name: string, description: string, unit: string, dataPoints: DataPoint<number>[], valueType: ValueType): MetricData {
  const { AggregationTemporality, DataPointType } = otelSdk.sdkMetrics();
  return {
    descriptor: { name, description, unit, valueType },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.SUM,
    isMonotonic: true,
    dataPoints,
  };
}

function hist(name: string, description: string, unit: string, dataPoints: DataPoint<Histogram>[]): MetricData {
  const { AggregationTemporality, DataPointType } = otelSdk.sdkMetrics();
  return {
    descriptor: { name, description, unit, valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.HISTOGRAM,
    dataPoints,
  };
}

/** Epoch milliseconds as an OTel `HrTime` ([seconds, nanoseconds]). */
function hrTimeOf(millis: number): HrTime {
  const seconds = Math.floor(millis / 1000);
  return [seconds, Math.round((millis - seconds * 1000) * 1e6)];
}

function histogram(state: HistogramState): Histogram {
  return {
    buckets: { boundaries: [...state.boundaries], counts: [...state.counts] },
    sum: state.sum,
    count: state.count,
    min: state.min,
    max: state.max,
  };
}
