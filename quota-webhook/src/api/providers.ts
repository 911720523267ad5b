/** `/providers`: per-organisation provider settings (`org` `*` = default for every org). */
import { z } from 'zod';
import type { ControlPlane } from '../control-plane.js';
import { notFound } from '../errors.js';
import { Providers } from '../providers/providers.js';
import type { Api } from './route.js';

const lim = z.number().int('must be an integer').nonnegative('must be >= 0').max(Number.MAX_SAFE_INTEGER);
export const providerPutSchema = z.strictObject({
  enabled: z.boolean(),
  priority: z.number().int('must be an integer').min(0, 'must be >= 0').max(1_000_000).optional(),
  limits: z.strictObject({
    hourly_requests: lim.optional(),
    daily_requests: lim.optional(),
    hourly_tokens: lim.optional(),
    daily_tokens: lim.optional(),
  }).optional(),
});

export function mountProviders(api: Api, cp: ControlPlane): void {
  api.add({ method: 'get', path: '/providers', tag: 'providers', roles: ['read'], summary: 'Provider settings with exact current hour/day usage' },
    async () => ({ providers: await cp.providers.states(cp.clock()) }));

  api.add({ method: 'put', path: '/providers/:org/:provider', tag: 'providers', roles: [], body: providerPutSchema, summary: 'Set a provider for an org (or `*`)' },
    async ({ body, params, actor }) => {
      const p = {
        org: params.org!, provider: params.provider!, enabled: body.enabled, priority: body.priority ?? 0,
        limits: body.limits ?? {}, updated_at: new Date(cp.clock()).toISOString(),
      };
      await cp.providers.put(Providers.id(p.org, p.provider), p, actor, 'put');
      return p;
    });

  api.add({ method: 'delete', path: '/providers/:org/:provider', tag: 'providers', roles: [], summary: 'Remove a provider setting' },
    async ({ params, actor }) => {
      if (!(await cp.providers.delete(Providers.id(params.org!, params.provider!), actor))) throw notFound('provider', `${params.org}/${params.provider}`);
      return undefined;
    });
}
