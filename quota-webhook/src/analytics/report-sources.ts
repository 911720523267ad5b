/**
 * The chargeback and recommendation services as the reports read them
 * (`ReportSources` of reports/kinds/sources.ts): the chargeback report gets
 * direct, shared and total spend per subject of its scope (department by
 * default) from the same allocation as `GET /analytics/allocation`; the
 * recommendations report gets the current recommendations of the last 92
 * days of its period at most (the longest evidence window), dismissed ones
 * flagged; the forecast report gets the cost forecast of its scope and
 * subject as `GET /analytics/forecast` answers it for the same `as_of`
 * (each day's own amount with its intervals, the month end, and every
 * applicable budget and quota with its probability of being exceeded).
 */
import { formatUsd, parseUsd } from '@tokenmeter/instrumentation/pricing';
import { z } from 'zod';
import type { ControlPlane } from '../control-plane.js';
import { ApiError, zodDetails } from '../errors.js';
import type { AllocationResult, AnalyticsQuery, ForecastResult, RecommendationsResult, ReportSources } from '../reports/kinds/sources.js';
import type { AllocationAttribute, AllocationRule } from './allocation.js';
import { computeAllocation, type Window } from './chargeback-service.js';
import type { AnalyticsRequest } from './context.js';
import { forecastAnswer } from './forecast.js';
import { ledgerTotalsOf, readQueryOf } from './reads.js';
import { grewSubstantially } from './recommendations/rank.js';
import { EVERYTHING } from './series.js';
import { currentRecommendations } from './recommendations/service.js';
import { allocationRuleBody, idParam } from './settings-schemas.js';

/** Longest evidence window of recommendations, in days (as `GET /analytics/recommendations`). */
const MAX_EVIDENCE_MS = 92 * 86_400_000;
/** Recommendations below this a month are left out (the endpoint's default). */
const MIN_MONTHLY_PICO = parseUsd('1');

const reportRule = allocationRuleBody.extend({ id: idParam });

/** A report's own allocation rules, in the shape `PUT /allocation-rules/{id}` takes plus their `id`. */
function rulesOf(raw: ReadonlyArray<Record<string, unknown>>): AllocationRule[] {
  const r = z.array(reportRule).safeParse(raw);
  if (!r.success) {
    const details = zodDetails(r.error).map((d) => ({ path: `allocation_rules${d.path.startsWith('[') ? '' : '.'}${d.path}`, message: d.message }));
    throw new ApiError(400, 'invalid_request', `allocation_rules: ${details[0]?.path}: ${details[0]?.message} (each rule is {id, match, receivers?, weights?} as PUT /api/v1/allocation-rules/{id} takes)`, details);
  }
  return r.data.map((b) => {
    const match: AllocationRule['match'] = {};
    for (const [k, v] of Object.entries(b.match)) if (v !== undefined) match[k as AllocationAttribute] = v;
    const rule: AllocationRule = { id: b.id, match };
    if (b.receivers) rule.receivers = b.receivers;
    if (b.weights) rule.weights = b.weights;
    return rule;
  });
}

function windowOf(q: AnalyticsQuery, fromMs = q.from): Window {
  const w: Window = { fromMs, toMs: Math.max(fromMs, Math.min(q.to, q.as_of)), asOfMs: q.as_of, tz: q.tz };
  if (q.scope !== undefined && q.subject !== undefined) {
    w.scope = q.scope;
    w.subject = q.subject;
  }
  return w;
}

function filtersOf(q: AnalyticsQuery): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(q.filters ?? {})) if (typeof v === 'string') out[k] = v;
  return Object.keys(out).length > 0 ? out : undefined;
}

type ForecastInterval = { time: string; expected_usd: string; lower_80_usd: string; upper_80_usd: string; lower_95_usd: string; upper_95_usd: string };
interface ForecastAnswer {
  method: string;
  month_to_date_usd: string;
  today_so_far_usd: string;
  month_end: Omit<ForecastInterval, 'time'>;
  points: ForecastInterval[];
  daily: ForecastInterval[];
  budgets: Array<{ id: string; kind: 'quota' | 'budget'; name: string | null; limit_usd: string; probability_exceeded: number; expected_crossing: string | null }>;
}

/** The report's rows from the forecast answer: each day's own amount (today with its spend so far) and the cumulative expectation. */
export function forecastRows(a: ForecastAnswer): ForecastResult {
  return {
    method: a.method,
    month_to_date_usd: a.month_to_date_usd,
    points: a.daily.map((d, i) => ({
      // `time` is the local midnight with its offset: its first ten characters are the local date.
      date: d.time.slice(0, 10), actual_usd: i === 0 ? a.today_so_far_usd : null,
      expected_usd: d.expected_usd, lower_80_usd: d.lower_80_usd, upper_80_usd: d.upper_80_usd, lower_95_usd: d.lower_95_usd, upper_95_usd: d.upper_95_usd,
      cumulative_expected_usd: a.points[i]!.expected_usd,
    })),
    month_end: a.month_end,
    budgets: a.budgets.map((b) => ({
      id: b.id, kind: b.kind, ...(b.name !== null ? { name: b.name } : {}), limit_usd: b.limit_usd,
      probability_exceeded: b.probability_exceeded, expected_crossing: b.expected_crossing,
    })),
  };
}

export function analyticsReportSources(cp: ControlPlane): ReportSources {
  return {
    chargeback: {
      async allocation(q): Promise<AllocationResult> {
        const level: AllocationAttribute = q.scope ?? 'department';
        const rules = q.rules ? rulesOf(q.rules) : cp.chargeback.ruleList();
        const filters = filtersOf(q);
        const { rows, reconciliation } = await computeAllocation(readQueryOf(cp), windowOf(q), {
          levels: [level], method: 'proportional', rules, ledgerTotals: ledgerTotalsOf(cp), ...(filters ? { filters } : {}),
        });
        if (reconciliation.reconciled !== true) throw new Error(`allocation does not reconcile with the ledger: ${JSON.stringify(reconciliation)}`);
        let total = 0n;
        const out = rows.map((r) => {
          total += r.total.cost_pico;
          return {
            subject: r.key ?? '(none)', direct_usd: formatUsd(r.direct.cost_pico), shared_usd: formatUsd(r.shared.cost_pico), total_usd: formatUsd(r.total.cost_pico),
            rule_ids: [...r.sharedByRule.keys()].sort(),
          };
        });
        return { total_usd: formatUsd(total), rows: out };
      },
    },
    forecast: {
      async forecast(q): Promise<ForecastResult> {
        // The report definition has checked scope, subject and horizon (at most MAX_HORIZON_DAYS) already.
        const req: AnalyticsRequest = {
          target: q.scope !== undefined && q.subject !== undefined ? { scope: q.scope, subject: q.subject } : EVERYTHING, tz: q.tz, asOf: q.as_of,
        };
        const horizon = q.horizon === 'month_end' ? 'month_end' : Number(q.horizon.slice(0, -1));
        return forecastRows(await forecastAnswer(cp, req, { metric: 'cost', horizon }) as unknown as ForecastAnswer);
      },
    },
    recommendations: {
      async recommendations(q): Promise<RecommendationsResult> {
        const w = windowOf(q, Math.max(q.from, Math.min(q.to, q.as_of) - MAX_EVIDENCE_MS));
        const recs = await currentRecommendations(readQueryOf(cp), cp.prices.catalog, w, cp.chargeback.batchableFeatures(), filtersOf(q));
        const dismissals = cp.chargeback.dismissals.view;
        return {
          recommendations: recs.filter((r) => r.monthlySavingsPico >= MIN_MONTHLY_PICO).map((r) => {
            const d = dismissals.get(r.id);
            return {
              id: r.id, type: r.type, title: r.title, description: r.action, scope: r.subject.scope, subject: r.subject.name,
              estimated_monthly_savings_usd: formatUsd(r.monthlySavingsPico), difficulty: r.difficulty, confidence: r.confidence,
              dismissed: d !== undefined && !grewSubstantially(parseUsd(d.monthly_savings_usd), r.monthlySavingsPico),
            };
          }),
        };
      },
    },
  };
}
