/** Test helper: a global MeterProvider whose counters a test can read. */
import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';

class PullReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

export interface CounterReader {
  /** Sum of a counter's points whose attributes include `attributes`. */
  sum(name: string, attributes?: Record<string, string>): Promise<number>;
}

/** Installs the global MeterProvider (once per test file) and returns a reader of its counters. */
export function installMeterProvider(): CounterReader {
  const reader = new PullReader();
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  return {
    async sum(name, attributes = {}) {
      const { resourceMetrics } = await reader.collect();
      let total = 0;
      for (const scope of resourceMetrics.scopeMetrics) {
        for (const metric of scope.metrics) {
          if (metric.descriptor.name !== name) continue;
          for (const point of metric.dataPoints) {
            if (Object.entries(attributes).every(([key, value]) => point.attributes[key] === value)) total += point.value as number;
          }
        }
      }
      return total;
    },
  };
}
