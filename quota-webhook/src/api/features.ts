/** `/features`: what a feature is worth (ROI) and whether it may wait for the Batch API (admin writes, audited). */
import { z } from 'zod';
import { batchableBody, effectiveDate, featureValueBody } from '../analytics/settings-schemas.js';
import type { ControlPlane } from '../control-plane.js';
import { notFound, parseOr400 } from '../errors.js';
import type { Api } from './route.js';

/** A feature name as the ledger carries it (`tokenmeter.feature`). */
const featurePath = z.object({ feature: z.string().min(1, 'must not be empty').max(512, 'must be at most 512 characters') });
const featureOf = (params: Record<string, string>): string => parseOr400(featurePath, { feature: params.feature }, 'path').feature;

const deleteValueQuery = z.strictObject({ effective_from: effectiveDate.optional().describe('Remove only the version from this date (default: every version)') });

export function mountFeatures(api: Api, cp: ControlPlane): void {
  api.add({ method: 'get', path: '/features', tag: 'features', roles: ['read'], summary: 'Features with a value or a batchable mark' },
    () => ({ features: cp.chargeback.featureList() }));

  api.add({ method: 'get', path: '/features/:feature/value', tag: 'features', roles: ['read'], summary: 'The value versions of a feature' }, ({ params }) => {
    const f = cp.chargeback.features.get(params.feature!);
    if (!f || f.values.length === 0) throw notFound('feature value', params.feature!);
    return { feature: f.feature, values: f.values };
  });

  api.add({
    method: 'put', path: '/features/:feature/value', tag: 'features', roles: [], body: featureValueBody,
    summary: 'Set what a feature earns — USD per successful request and/or per month — from an effective date (a version with the same date is replaced; audited)',
  }, async ({ body, params, actor }) => {
    const f = await cp.chargeback.setValue(featureOf(params), body, actor);
    return { feature: f.feature, values: f.values };
  });

  api.add({ method: 'delete', path: '/features/:feature/value', tag: 'features', roles: [], query: deleteValueQuery, summary: 'Remove a feature\'s value versions (audited)' },
    async ({ params, query, actor }) => {
      if ((await cp.chargeback.deleteValue(params.feature!, query.effective_from, actor)) === 0) throw notFound('feature value', params.feature!);
    });

  api.add({
    method: 'put', path: '/features/:feature/batchable', tag: 'features', roles: [], body: batchableBody,
    summary: 'Mark a feature as able to wait for the Batch API: all its traffic counts for the batching recommendation (audited)',
  }, async ({ body, params, actor }) => {
    const f = await cp.chargeback.setBatchable(featureOf(params), body.batchable, actor);
    return { feature: f.feature, batchable: f.batchable === true };
  });
}
