/**
 * Provider settings per organisation as prom-client gauges (a few series per
 * org × provider): whether enabled, the priority, and each hourly/daily
 * request and token limit next to the exact usage of the current UTC hour and
 * day (the windows the SDK enforces), so dashboards show rate-limit headroom.
 * Labels `tokenmeter_org` (`*` = the default for every org) and
 * `gen_ai_provider_name`; limit and usage add `period` (hour|day) and
 * `metric` (requests|tokens).
 */
import { Gauge, type Registry } from 'prom-client';
import { PROM } from '@tokenmeter/instrumentation/semconv';
import type { ProviderState } from '@tokenmeter/instrumentation/protocol';

type Window = { period: 'hour' | 'day'; metric: 'requests' | 'tokens'; limit: keyof ProviderState['limits']; usage: keyof ProviderState['usage'] };

const WINDOWS: readonly Window[] = [
  { period: 'hour', metric: 'requests', limit: 'hourly_requests', usage: 'hour_requests' },
  { period: 'hour', metric: 'tokens', limit: 'hourly_tokens', usage: 'hour_tokens' },
  { period: 'day', metric: 'requests', limit: 'daily_requests', usage: 'day_requests' },
  { period: 'day', metric: 'tokens', limit: 'daily_tokens', usage: 'day_tokens' },
];

/** Registers the provider gauges; `states()` is read once per scrape. */
export function registerProviderGauges(registry: Registry, states: () => Promise<ProviderState[]>): void {
  const labels = ['tokenmeter_org', 'gen_ai_provider_name'] as const;
  const windowLabels = [...labels, 'period', 'metric'] as const;
  let current: Promise<ProviderState[]> | undefined;
  // One read serves the four gauges of a scrape (prom-client collects them one after another).
  const read = (): Promise<ProviderState[]> => {
    if (current === undefined) {
      current = states();
      void current.finally(() => setImmediate(() => { current = undefined; }));
    }
    return current;
  };
  const key = (s: ProviderState) => ({ tokenmeter_org: s.org, gen_ai_provider_name: s.provider });
  new Gauge({
    name: PROM.providerEnabled, help: 'Whether a provider is enabled for an organisation (1) or not (0); org "*" is the default.',
    labelNames: labels, registers: [registry],
    async collect() {
      this.reset();
      for (const s of await read()) this.set(key(s), s.enabled ? 1 : 0);
    },
  });
  new Gauge({
    name: PROM.providerPriority, help: 'Priority of a provider for an organisation (lower is tried first).',
    labelNames: labels, registers: [registry],
    async collect() {
      this.reset();
      for (const s of await read()) this.set(key(s), s.priority);
    },
  });
  new Gauge({
    name: PROM.providerLimit, help: 'Hourly or daily request or token limit of a provider for an organisation (UTC windows; only limits that are set).',
    labelNames: windowLabels, registers: [registry],
    async collect() {
      this.reset();
      for (const s of await read()) {
        for (const w of WINDOWS) {
          const limit = s.limits[w.limit];
          if (limit !== undefined) this.set({ ...key(s), period: w.period, metric: w.metric }, limit);
        }
      }
    },
  });
  new Gauge({
    name: PROM.providerUsage, help: 'Exact requests or tokens of a provider for an organisation in the current UTC hour or day, from the ledger.',
    labelNames: windowLabels, registers: [registry],
    async collect() {
      this.reset();
      for (const s of await read()) {
        for (const w of WINDOWS) this.set({ ...key(s), period: w.period, metric: w.metric }, s.usage[w.usage] as number);
      }
    },
  });
}
