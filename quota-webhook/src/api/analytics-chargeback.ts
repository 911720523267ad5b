/** `GET /analytics/allocation`, `/analytics/top`, `/analytics/efficiency`, `/analytics/roi`: chargeback from the ledger (read role). */
import { z } from 'zod';
import { ALLOCATION_ATTRIBUTES, SHARED_METHODS, type AllocationAttribute } from '../analytics/allocation.js';
import { EFFICIENCY_GROUPS } from '../analytics/chargeback-queries.js';
import { allocationReport, efficiencyReport, roiReport, topReport } from '../analytics/chargeback-service.js';
import { ledgerTotalsOf, readQueryOf } from '../analytics/reads.js';
import { TOP_GROUPS, TOP_METRICS } from '../analytics/top.js';
import type { ControlPlane } from '../control-plane.js';
import { allocationResponse, efficiencyResponse, roiResponse, topResponse } from './analytics-ii-responses.js';
import { parseWindow, windowFields } from './analytics-params.js';
import { intParam } from './params.js';
import type { Api } from './route.js';

export const DEFAULT_LEVELS: readonly AllocationAttribute[] = ['org', 'department', 'feature', 'investigation'];

const levelsParam = z.string()
  .refine((s) => {
    const parts = s.split(',');
    return parts.length <= ALLOCATION_ATTRIBUTES.length && new Set(parts).size === parts.length && parts.every((p) => (ALLOCATION_ATTRIBUTES as readonly string[]).includes(p));
  }, { message: `must be a comma-separated list of distinct levels among ${ALLOCATION_ATTRIBUTES.join(', ')}` })
  .transform((s) => s.split(',') as AllocationAttribute[]);

export const allocationQuery = z.strictObject({
  ...windowFields,
  levels: levelsParam.optional().describe(`Hierarchy levels, outermost first (default ${DEFAULT_LEVELS.join(',')})`),
  shared: z.enum(SHARED_METHODS).optional().describe('How shared and unattributed spend is split among departments (default proportional)'),
});

export const topQuery = z.strictObject({
  ...windowFields,
  group_by: z.enum(TOP_GROUPS).optional().describe('Default user'),
  metric: z.enum(TOP_METRICS).optional().describe('Ranking metric (default cost)'),
  limit: intParam(1, 1000).optional().describe('Rows (default 10); the rest are summed in `others`'),
});

export const efficiencyQuery = z.strictObject({ ...windowFields, group_by: z.enum(EFFICIENCY_GROUPS).optional().describe('Default feature') });
export const roiQuery = z.strictObject({ ...windowFields });

export function mountAnalyticsChargeback(api: Api, cp: ControlPlane): void {
  const q = readQueryOf(cp);
  const ledgerTotals = ledgerTotalsOf(cp);
  api.add({
    method: 'get', path: '/analytics/allocation', tag: 'analytics', roles: ['read'], query: allocationQuery, response: allocationResponse,
    summary: 'Chargeback: cost, tokens and requests per org → department → … with shared and unattributed spend distributed (even | proportional | weights); rows reconcile with the ledger to the pico-dollar',
  }, async ({ query }) => {
    const w = parseWindow(query, cp.clock(), 'month_to_date');
    return allocationReport(q, w, { levels: query.levels ?? DEFAULT_LEVELS, method: query.shared ?? 'proportional', rules: cp.chargeback.ruleList(), ledgerTotals });
  });

  api.add({
    method: 'get', path: '/analytics/top', tag: 'analytics', roles: ['read'], query: topQuery, response: topResponse,
    summary: 'Top consumers by cost, tokens or requests with share of total and change against the previous period; by department also cost per request and per active user',
  }, async ({ query }) => {
    const w = parseWindow(query, cp.clock(), 'month_to_date');
    return topReport(q, w, { groupBy: query.group_by ?? 'user', metric: query.metric ?? 'cost', limit: query.limit ?? 10 });
  });

  api.add({
    method: 'get', path: '/analytics/efficiency', tag: 'analytics', roles: ['read'], query: efficiencyQuery, response: efficiencyResponse,
    summary: 'Cost per successful request, tokens per request, error and block rates, cache-read share, output per input and latency per feature, model or department, against the median',
  }, async ({ query }) => {
    const w = parseWindow(query, cp.clock(), 'month_to_date');
    return efficiencyReport(q, w, query.group_by ?? 'feature');
  });

  api.add({
    method: 'get', path: '/analytics/roi', tag: 'analytics', roles: ['read'], query: roiQuery, response: roiResponse,
    summary: 'Value, cost, net and ROI per feature with a value set (PUT /features/{feature}/value), and the features without one',
  }, async ({ query }) => {
    const w = parseWindow(query, cp.clock(), 'month_to_date');
    return roiReport(q, w, cp.chargeback.featureList().map((f) => ({ feature: f.feature, versions: f.values })));
  });
}
