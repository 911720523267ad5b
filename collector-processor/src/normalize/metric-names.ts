/**
 * Which incoming metrics are exposed, under what Prometheus name, and with
 * which labels. Only GenAI (`gen_ai.*`) and tokenmeter (`tokenmeter.*`)
 * metrics are exposed; names follow the JS Prometheus exporter (dots → `_`,
 * `_total` on monotonic sums, no unit suffix), so a metric passed through
 * here has the same name as when the SDK is scraped directly.
 */
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_SYSTEM,
  ATTR_GEN_AI_TOKEN_TYPE,
  ATTR_TOKENMETER_DEPARTMENT,
  ATTR_TOKENMETER_FEATURE,
  ATTR_TOKENMETER_ORG,
  ATTR_TOKENMETER_OUTCOME,
  ATTR_USER_ID,
  toPrometheusLabel,
} from '@tokenmeter/instrumentation/semconv';
import type { Attrs } from './model.js';
import { normaliseProvider } from './genai-call.js';

/**
 * Attribute keys kept as labels by default (docs/architecture.md, "Metrics and labels"), in the
 * canonical label order that the derived counters use too (after `job`,
 * `instance`), so equal label sets give equal series keys;
 * `TOKENMETER_COLLECTOR_LABEL_ALLOWLIST` appends more.
 */
export const DEFAULT_LABEL_KEYS: readonly string[] = [
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_TOKENMETER_ORG,
  ATTR_TOKENMETER_DEPARTMENT,
  ATTR_TOKENMETER_FEATURE,
  ATTR_USER_ID,
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_TOKEN_TYPE,
  ATTR_TOKENMETER_OUTCOME,
];

/** Whether a metric is exposed at all. */
export function isExposedMetric(name: string): boolean {
  return name.startsWith('gen_ai.') || name.startsWith('tokenmeter.');
}

/** The Prometheus name of an OTel metric as the JS Prometheus exporter writes it. */
export function prometheusMetricName(name: string, monotonicCounter: boolean): string {
  const base = toPrometheusLabel(name);
  return monotonicCounter && !base.endsWith('_total') ? `${base}_total` : base;
}

/** Builds the label pairs of a passed-through point: job/instance from the resource, then allow-listed attributes in a fixed order. */
export class LabelSelector {
  private readonly _keys: readonly string[];
  private readonly _labels: readonly string[];

  constructor(extraKeys: readonly string[]) {
    const keys = [...DEFAULT_LABEL_KEYS];
    for (const k of extraKeys) if (!keys.includes(k)) keys.push(k);
    this._keys = keys;
    this._labels = keys.map(toPrometheusLabel);
  }

  select(attrs: Attrs, resourcePairs: ReadonlyArray<readonly [string, string]>): [string, string][] {
    const pairs: [string, string][] = [...resourcePairs] as [string, string][];
    const keys = this._keys;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      let v = attrs[key];
      // The older provider key: normalised into ours.
      if (v === undefined && key === ATTR_GEN_AI_PROVIDER_NAME) {
        const sys = attrs[ATTR_GEN_AI_SYSTEM];
        if (sys !== undefined) v = normaliseProvider(String(sys));
      }
      if (v === undefined || v === '') continue;
      pairs.push([this._labels[i] as string, typeof v === 'string' ? v : String(v)]);
    }
    return pairs;
  }
}

/**
 * `job` and `instance` from the resource, as the OpenTelemetry Collector's
 * Prometheus exporter sets them: `job` = `service.namespace/service.name`
 * (or `service.name`), `instance` = `service.instance.id`.
 */
export function resourceLabels(resource: Attrs, withInstance: boolean): [string, string][] {
  const out: [string, string][] = [];
  const job = jobOf(resource);
  if (job !== undefined) out.push(['job', job]);
  if (withInstance) {
    const instance = resource['service.instance.id'];
    if (instance !== undefined && instance !== '') out.push(['instance', String(instance)]);
  }
  return out;
}

export function jobOf(resource: Attrs): string | undefined {
  const name = resource['service.name'];
  if (name === undefined || name === '') return undefined;
  const ns = resource['service.namespace'];
  return ns !== undefined && ns !== '' ? `${String(ns)}/${String(name)}` : String(name);
}
