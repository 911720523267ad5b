/** `GET /analytics/recommendations` and dismissals (admin, audited). */
import { z } from 'zod';
import { formatUsd, parseUsd } from '@tokenmeter/instrumentation/pricing';
import { recommendationView, currentRecommendations, recommendationsReport } from '../analytics/recommendations/service.js';
import { RECOMMENDATION_TYPES, type RecommendationType } from '../analytics/recommendations/types.js';
import { dismissBody } from '../analytics/settings-schemas.js';
import type { ControlPlane } from '../control-plane.js';
import { ApiError, notFound, queryError } from '../errors.js';
import { recommendationsResponse } from './analytics-ii-responses.js';
import { parseWindow, windowFields, type CommonQuery } from './analytics-params.js';
import { readQueryOf } from '../analytics/reads.js';
import type { Window } from '../analytics/chargeback-service.js';
import { intParam } from './params.js';
import type { Api } from './route.js';

const typesParam = z.string()
  .refine((s) => s.split(',').every((t) => (RECOMMENDATION_TYPES as readonly string[]).includes(t)), { message: `must be a comma-separated list of ${RECOMMENDATION_TYPES.join(', ')}` })
  .transform((s) => s.split(',') as RecommendationType[]);

export const recommendationsQuery = z.strictObject({
  ...windowFields,
  type: typesParam.optional().describe('Only these types'),
  min_savings_usd: z.string().regex(/^\d{1,15}(\.\d{1,12})?$/, 'must be a non-negative decimal USD amount, e.g. "5"').optional()
    .describe('Hide findings that save less a month (default 1)'),
  limit: intParam(1, 1000).optional().describe('Default 100'),
  include_dismissed: z.enum(['true', 'false']).optional().describe('Show dismissed findings too, flagged'),
});

/**
 * Longest evidence window: recommendations are about the spend to come, read
 * from recent traffic (prices, prompts and volumes change), and every
 * detector scans the window's records.
 */
export const MAX_EVIDENCE_DAYS = 92;

function evidenceWindow(query: CommonQuery, nowMs: number): Window {
  const w = parseWindow(query, nowMs, 'last_30_days');
  if (w.toMs - w.fromMs > MAX_EVIDENCE_DAYS * 86_400_000) throw queryError([{ path: 'from', message: `the evidence window is at most ${MAX_EVIDENCE_DAYS} days before to` }]);
  return w;
}

/** The window of the dismiss call: the same parameters as the list, so an admin dismisses what they saw. */
const dismissQuery = z.strictObject({ ...windowFields });

export function mountRecommendations(api: Api, cp: ControlPlane): void {
  api.add({
    method: 'get', path: '/analytics/recommendations', tag: 'analytics', roles: ['read'], query: recommendationsQuery, response: recommendationsResponse,
    summary: 'Ranked recommendations (model selection, prompt caching, batching, prompt efficiency, failed spend) with evidence, estimated monthly savings from the price catalog, difficulty and confidence; evidence window at most 92 days (default 30)',
  }, async ({ query }) => {
    const w = evidenceWindow(query, cp.clock());
    return recommendationsReport(readQueryOf(cp), cp.prices.catalog, w, cp.chargeback.batchableFeatures(), cp.chargeback.dismissals.view, {
      ...(query.type ? { types: query.type } : {}),
      minMonthlySavingsPico: parseUsd(query.min_savings_usd ?? '1'),
      limit: query.limit ?? 100,
      includeDismissed: query.include_dismissed === 'true',
    });
  });

  api.add({
    method: 'post', path: '/analytics/recommendations/:id/dismiss', tag: 'analytics', roles: [], body: dismissBody, query: dismissQuery, statuses: [200],
    summary: 'Dismiss a recommendation (audited): hidden until its estimated monthly savings reach 1.5× the estimate now and exceed it by 10 USD',
  }, async ({ params, body, query, actor }) => {
    const w = evidenceWindow(query, cp.clock());
    const current = await currentRecommendations(readQueryOf(cp), cp.prices.catalog, w, cp.chargeback.batchableFeatures());
    const rec = current.find((r) => r.id === params.id);
    if (!rec) throw new ApiError(404, 'not_found', `recommendation "${params.id}" is not among the current recommendations of the window`);
    const d = await cp.chargeback.dismiss({ id: rec.id, type: rec.type, kind: rec.kind, monthly_savings_usd: formatUsd(rec.monthlySavingsPico), ...(body?.reason !== undefined ? { reason: body.reason } : {}) }, actor);
    return { ...d, recommendation: recommendationView(rec) };
  });

  api.add({ method: 'delete', path: '/analytics/recommendations/:id/dismiss', tag: 'analytics', roles: [], summary: 'Undo a dismissal (audited)' }, async ({ params, actor }) => {
    if (!(await cp.chargeback.dismissals.delete(params.id!, actor))) throw notFound('dismissal', params.id!);
  });
}
