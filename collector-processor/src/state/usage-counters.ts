/**
 * The tokenmeter counters derived from GenAI calls, exactly as the SDK names
 * and labels them (DESIGN.md "Metrics", "Attributes"): tokens by type, cost,
 * requests by outcome, unpriced calls. Counts accumulate in memory and are
 * rendered at scrape time; replicas each expose their own share (Prometheus
 * sums across them).
 */
import { PROM, TOKEN_TYPES, toPrometheusLabel } from '@tokenmeter/instrumentation/semconv';
import type { GenAiCall } from '../normalize/genai-call.js';
import { seriesKey } from './labels.js';
import type { Family, NumberSeries, SeriesStore } from './series-store.js';

/** Label names of the derived counters, in exposition order. */
export const LABEL_JOB = 'job';
export const LABEL_PROVIDER = toPrometheusLabel('gen_ai.provider.name');
export const LABEL_OPERATION = toPrometheusLabel('gen_ai.operation.name');
export const LABEL_REQUEST_MODEL = toPrometheusLabel('gen_ai.request.model');
export const LABEL_RESPONSE_MODEL = toPrometheusLabel('gen_ai.response.model');
export const LABEL_ORG = toPrometheusLabel('tokenmeter.org');
export const LABEL_DEPARTMENT = toPrometheusLabel('tokenmeter.department');
export const LABEL_FEATURE = toPrometheusLabel('tokenmeter.feature');
export const LABEL_USER = toPrometheusLabel('user.id');
export const LABEL_ERROR_TYPE = toPrometheusLabel('error.type');
export const LABEL_TOKEN_TYPE = toPrometheusLabel('gen_ai.token.type');
export const LABEL_OUTCOME = toPrometheusLabel('tokenmeter.outcome');

export interface PricedCall {
  call: GenAiCall;
  priced: boolean;
  costUsd: number;
}

/** The series one attribution context counts into, cached so a call costs one map lookup. */
interface Bundle {
  base: [string, string][];
  baseKey: string;
  tokens: (NumberSeries | undefined)[];
  cost: NumberSeries | undefined;
  unpriced: NumberSeries | undefined;
  requests: Map<string, NumberSeries>;
}

/** Most cached bundles; beyond, the cache starts over (it only holds references to series). */
const BUNDLE_LIMIT = 50_000;

export class UsageCounters {
  private readonly _bundles = new Map<string, Bundle>();
  private readonly _tokens: Family<NumberSeries>;
  private readonly _cost: Family<NumberSeries>;
  private readonly _requests: Family<NumberSeries>;
  private readonly _unpriced: Family<NumberSeries>;

  /** Creates the four counter families first, so passed-through telemetry cannot claim their names with another type. */
  constructor(store: SeriesStore) {
    const counter = (name: string, help: string): Family<NumberSeries> => {
      const f = store.numbers(name, 'counter', help);
      if (!f) throw new Error(`metric family ${name} already exists with another type`);
      return f;
    };
    this._tokens = counter(PROM.tokens, 'Tokens of LLM calls by gen_ai.token.type (disjoint types).');
    this._cost = counter(PROM.cost, 'Cost of LLM calls in USD.');
    this._requests = counter(PROM.requests, 'LLM calls by outcome.');
    this._unpriced = counter(PROM.unpriced, 'LLM calls whose model had no price.');
  }

  /** Adds one call: its tokens by type, its cost (if priced), one request, and one unpriced call when it had tokens but no price. */
  record({ call, priced, costUsd }: PricedCall, job: string | undefined): void {
    const b = this._bundle(call, job);
    let total = 0;
    for (let i = 0; i < TOKEN_TYPES.length; i++) {
      const type = TOKEN_TYPES[i] as (typeof TOKEN_TYPES)[number];
      const n = call.tokens[type];
      if (n <= 0) continue;
      total += n;
      let series = b.tokens[i];
      if (series === undefined) {
        // Keys are `seriesKey` of the full label set (the canonical order of `LabelSelector`), so a passed-through
        // series with the same labels lands in the same series instead of a duplicate one.
        series = this._tokens.getKeyed(`${b.baseKey}${LABEL_TOKEN_TYPE}\u0001${type}\u0002`, () => [...b.base, [LABEL_TOKEN_TYPE, type]]);
        b.tokens[i] = series;
      }
      series.acc += n;
    }
    if (priced && costUsd > 0) (b.cost ??= this._cost.getKeyed(b.baseKey, () => b.base)).acc += costUsd;
    let requests = b.requests.get(call.outcome);
    if (requests === undefined) {
      requests = this._requests.getKeyed(`${b.baseKey}${LABEL_OUTCOME}\u0001${call.outcome}\u0002`, () => [...b.base, [LABEL_OUTCOME, call.outcome]]);
      b.requests.set(call.outcome, requests);
    }
    requests.acc += 1;
    if (!priced && total > 0) (b.unpriced ??= this._unpriced.getKeyed(b.baseKey, () => b.base)).acc += 1;
  }

  private _bundle(call: GenAiCall, job: string | undefined): Bundle {
    const at = call.attribution;
    // A short cache key: every value at a fixed position ('\u0000' = absent).
    const short = `${job ?? '\u0000'}\u0001${call.provider}\u0001${call.operation}\u0001${call.requestModel ?? '\u0000'}\u0001${call.responseModel ?? '\u0000'}\u0001${at.org ?? '\u0000'}\u0001${at.department ?? '\u0000'}\u0001${at.feature ?? '\u0000'}\u0001${at.user ?? '\u0000'}\u0001${call.errorType ?? '\u0000'}`;
    const hit = this._bundles.get(short);
    if (hit) return hit;
    const base: [string, string][] = [];
    if (job !== undefined) base.push([LABEL_JOB, job]);
    base.push([LABEL_PROVIDER, call.provider], [LABEL_OPERATION, call.operation]);
    if (call.requestModel !== undefined) base.push([LABEL_REQUEST_MODEL, call.requestModel]);
    if (call.responseModel !== undefined) base.push([LABEL_RESPONSE_MODEL, call.responseModel]);
    if (at.org !== undefined) base.push([LABEL_ORG, at.org]);
    if (at.department !== undefined) base.push([LABEL_DEPARTMENT, at.department]);
    if (at.feature !== undefined) base.push([LABEL_FEATURE, at.feature]);
    if (at.user !== undefined) base.push([LABEL_USER, at.user]);
    if (call.errorType !== undefined) base.push([LABEL_ERROR_TYPE, call.errorType]);
    const bundle: Bundle = { base, baseKey: seriesKey(base), tokens: [], cost: undefined, unpriced: undefined, requests: new Map() };
    if (this._bundles.size >= BUNDLE_LIMIT) this._bundles.clear();
    this._bundles.set(short, bundle);
    return bundle;
  }
}
