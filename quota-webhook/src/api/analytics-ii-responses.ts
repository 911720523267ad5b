/**
 * Response shapes of `/analytics/allocation`, `/top`, `/efficiency`, `/roi`
 * and `/recommendations` for the OpenAPI document (loose objects: fields may
 * be added; the suites parse the real answers with these).
 */
import { z } from 'zod';
import { RECOMMENDATION_TYPES } from '../analytics/recommendations/types.js';

const money = z.string().regex(/^-?\d+(\.\d+)?$/).describe('exact decimal USD');
const ratio = z.number().nullable();
/** `null` is the group of records without a value of the dimension. */
const key = z.string().nullable();

const period = z.looseObject({
  from: z.string(), to: z.string(), tz: z.string(), as_of: z.string(),
  scope: z.string().optional(), subject: z.string().optional(),
}).describe('The window read: [from, to), records before as_of');

const totals = z.looseObject({ cost_usd: money, tokens: z.number(), requests: z.number() });

export const allocationResponse = z.looseObject({
  period, from: z.string(), to: z.string(), levels: z.array(z.string()), shared: z.string(), rules: z.array(z.string()),
  rows: z.array(z.looseObject({
    path: z.array(key), level: z.string(), key,
    direct_usd: money, shared_usd: money, total_usd: money, requests: z.number(), tokens: z.number(),
    direct: totals, shared: totals, shared_by_rule: z.record(z.string(), money), unpriced_requests: z.number(),
  })).describe('Depth first, outermost level first; each row is the sum of its children'),
  shared_pools: z.array(z.looseObject({
    rule_id: z.string(), org: z.string().nullable(), method: z.string(), applied_method: z.string(), allocated: z.boolean(),
    cost_usd: money, tokens: z.number(), requests: z.number(),
    receivers: z.array(z.looseObject({ department: z.string(), weight: z.string(), cost_usd: money, tokens: z.number(), requests: z.number() })),
    note: z.string().optional(),
  })),
  reconciliation: z.looseObject({
    ledger_total_usd: money, allocated_total_usd: money, difference_usd: money, reconciled: z.boolean(),
    direct_usd: money, shared_distributed_usd: money, shared_unallocated_usd: money,
    ledger_requests: z.number(), rows_requests: z.number(), ledger_tokens: z.number(), rows_tokens: z.number(), unpriced_requests: z.number(),
  }),
});

export const topResponse = z.looseObject({
  period,
  previous_period: z.looseObject({ from: z.string(), to: z.string(), basis: z.string() }),
  group_by: z.string(), metric: z.string(),
  rows: z.array(totals.extend({
    rank: z.number(), key, share: z.number(), previous: totals, change: ratio,
    change_absolute: z.union([money, z.number()]).describe('a USD string for cost, a number otherwise'),
    cost_per_request_usd: money.nullable().optional().describe('by department'),
    active_users: z.number().optional().describe('by department'),
    cost_per_active_user_usd: money.nullable().optional().describe('by department'),
  })),
  total: totals, previous_total: totals, others: totals.extend({ groups: z.number() }),
});

const medians = z.looseObject({
  cost_per_successful_request_usd: money.nullable(), tokens_per_request: ratio, error_rate: ratio, block_rate: ratio,
  cache_read_share_of_input: ratio, output_per_input: ratio, mean_latency_ms: ratio,
});

export const efficiencyResponse = z.looseObject({
  period, group_by: z.string(), org_median: medians,
  rows: z.array(z.looseObject({
    key, requests: z.number(), successful_requests: z.number(), cost_usd: money, cost_per_successful_request_usd: money.nullable(),
    tokens_per_request: z.looseObject({ input: z.number(), output: z.number(), cache_read: z.number(), cache_write: z.number(), reasoning: z.number(), total: z.number() }),
    error_rate: z.number(), block_rate: z.number(), cache_read_share_of_input: ratio, output_per_input: ratio, mean_latency_ms: ratio,
    vs_median: z.record(z.string(), ratio).describe('each metric ÷ the median over all groups; null when undefined'),
  })),
});

const roiFigures = { value_usd: money, cost_usd: money, net_usd: money, roi: ratio };

export const roiResponse = z.looseObject({
  period,
  features: z.array(z.looseObject({
    feature: z.string(), ...roiFigures, requests: z.number(), successful_requests: z.number(), unpriced_requests: z.number(),
    value_basis: z.array(z.enum(['per_month', 'per_success'])), valued_from: z.string().nullable(),
  })),
  features_without_value: z.array(z.looseObject({ feature: z.string(), cost_usd: money, requests: z.number(), successful_requests: z.number() })),
  totals: z.looseObject(roiFigures),
});

export const recommendationsResponse = z.looseObject({
  period,
  recommendations: z.array(z.looseObject({
    id: z.string(), type: z.enum(RECOMMENDATION_TYPES), kind: z.string(), title: z.string(), action: z.string(),
    subject: z.looseObject({ scope: z.string(), name: z.string() }),
    estimated_monthly_savings_usd: money, window_savings_usd: money,
    difficulty: z.enum(['low', 'medium', 'high']), difficulty_reason: z.string(),
    confidence: z.number(), confidence_level: z.string(), confidence_reason: z.string(),
    evidence: z.record(z.string(), z.unknown()).describe('flat: dotted keys, numbers and strings'),
    dismissal: z.looseObject({
      dismissed_at: z.string(), dismissed_by: z.string(), reason: z.string().nullable(), monthly_savings_usd_when_dismissed: money, hidden: z.boolean(),
    }).optional().describe('with include_dismissed=true'),
  })).describe('Ranked by estimated monthly savings'),
  dismissed_hidden: z.number(), below_minimum: z.number(), min_savings_usd: money, dismissal_rule: z.string(), note: z.string(),
});
