/**
 * The tokenmeter counters derived from GenAI calls, exactly as the SDK names
 * and labels them (docs/architecture.md, "Metrics and labels"): tokens by type, cost,
 * requests by outcome, unpriced calls. Counts accumulate in memory and are
 * rendered at scrape time; replicas each expose their own share (Prometheus
 * sums across them).
 */
import { OUTCOMES, PROM, TOKEN_TYPES, toPrometheusLabel } from '@tokenmeter/instrumentation/semconv';
import type { GenAiCall } from '../normalize/genai-call.js';
import { joinFlat } from '../util/flat-string.js';
import { extendKey, seriesKey } from './labels.js';
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

/**
 * The series one attribution context counts into, cached so a call costs one
 * map lookup. Only references: the label pairs are rebuilt from the call when
 * a series is first needed (memory per cached context matters with many users).
 */
interface Bundle {
  tokens: (NumberSeries | undefined)[];
  cost: NumberSeries | undefined;
  unpriced: NumberSeries | undefined;
  /** By index in `OUTCOMES`. */
  requests: (NumberSeries | undefined)[];
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
    let base: Base | undefined;
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
        const at = (base ??= baseOf(call, job));
        series = this._tokens.getKeyed(extendKey(at.key, LABEL_TOKEN_TYPE, type), () => [...at.pairs, [LABEL_TOKEN_TYPE, type]]);
        b.tokens[i] = series;
      }
      series.acc += n;
    }
    if (priced && costUsd > 0) {
      if (b.cost === undefined) {
        const at = (base ??= baseOf(call, job));
        b.cost = this._cost.getKeyed(at.key, () => at.pairs);
      }
      b.cost.acc += costUsd;
    }
    const o = OUTCOMES.indexOf(call.outcome);
    let requests = b.requests[o];
    if (requests === undefined) {
      const at = (base ??= baseOf(call, job));
      requests = this._requests.getKeyed(extendKey(at.key, LABEL_OUTCOME, call.outcome), () => [...at.pairs, [LABEL_OUTCOME, call.outcome]]);
      b.requests[o] = requests;
    }
    requests.acc += 1;
    if (!priced && total > 0) {
      if (b.unpriced === undefined) {
        const at = base ?? baseOf(call, job);
        b.unpriced = this._unpriced.getKeyed(at.key, () => at.pairs);
      }
      b.unpriced.acc += 1;
    }
  }

  private _bundle(call: GenAiCall, job: string | undefined): Bundle {
    const at = call.attribution;
    // A short cache key: every value at a fixed position ('\u0000' = absent).
    const A = '\u0000';
    const S = '\u0001';
    const short = joinFlat([job ?? A, S, call.provider, S, call.operation, S, call.requestModel ?? A, S, call.responseModel ?? A, S, at.org ?? A, S, at.department ?? A, S, at.feature ?? A, S, at.user ?? A, S, call.errorType ?? A]);
    const hit = this._bundles.get(short);
    if (hit) return hit;
    const bundle: Bundle = { tokens: new Array<undefined>(TOKEN_TYPES.length), cost: undefined, unpriced: undefined, requests: new Array<undefined>(OUTCOMES.length) };
    if (this._bundles.size >= BUNDLE_LIMIT) this._bundles.clear();
    this._bundles.set(short, bundle);
    return bundle;
  }
}

interface Base {
  pairs: [string, string][];
  key: string;
}

/** The labels every counter of a call carries (before the token type or outcome), in the canonical order. */
function baseOf(call: GenAiCall, job: string | undefined): Base {
  const at = call.attribution;
  const pairs: [string, string][] = [];
  if (job !== undefined) pairs.push([LABEL_JOB, job]);
  pairs.push([LABEL_PROVIDER, call.provider], [LABEL_OPERATION, call.operation]);
  if (call.requestModel !== undefined) pairs.push([LABEL_REQUEST_MODEL, call.requestModel]);
  if (call.responseModel !== undefined) pairs.push([LABEL_RESPONSE_MODEL, call.responseModel]);
  if (at.org !== undefined) pairs.push([LABEL_ORG, at.org]);
  if (at.department !== undefined) pairs.push([LABEL_DEPARTMENT, at.department]);
  if (at.feature !== undefined) pairs.push([LABEL_FEATURE, at.feature]);
  if (at.user !== undefined) pairs.push([LABEL_USER, at.user]);
  if (call.errorType !== undefined) pairs.push([LABEL_ERROR_TYPE, call.errorType]);
  return { pairs, key: seriesKey(pairs) };
}
