/** `/allocation-rules`: which spend is shared and how it is split (admin writes, audited). */
import { z } from 'zod';
import { allocationRuleBody, idParam } from '../analytics/settings-schemas.js';
import type { ControlPlane } from '../control-plane.js';
import { notFound, parseOr400 } from '../errors.js';
import type { Api } from './route.js';

export function mountAllocationRules(api: Api, cp: ControlPlane): void {
  api.add({ method: 'get', path: '/allocation-rules', tag: 'allocation', roles: ['read'], summary: 'List allocation rules (tried in id order; the first that matches a record takes it)' },
    () => ({ rules: cp.chargeback.ruleList() }));

  api.add({ method: 'get', path: '/allocation-rules/:id', tag: 'allocation', roles: ['read'], summary: 'Get an allocation rule' }, ({ params }) => {
    const rule = cp.chargeback.rules.get(params.id!);
    if (!rule) throw notFound('allocation rule', params.id!);
    return rule;
  });

  api.add({
    method: 'put', path: '/allocation-rules/:id', tag: 'allocation', roles: [], body: allocationRuleBody, statuses: [200, 201],
    summary: 'Create or replace an allocation rule: spend matching `match` is shared among `receivers` (default every department with direct spend), by `weights` when shared=weights. Id `unattributed` configures the pool of spend without a department',
  }, async ({ body, params, actor, res }) => {
    const { id } = parseOr400(z.object({ id: idParam }), { id: params.id }, 'path');
    const { rule, created } = await cp.chargeback.putRule(id, body, actor);
    res.status(created ? 201 : 200);
    return rule;
  });

  api.add({ method: 'delete', path: '/allocation-rules/:id', tag: 'allocation', roles: [], summary: 'Delete an allocation rule (audited)' }, async ({ params, actor }) => {
    if (!(await cp.chargeback.rules.delete(params.id!, actor))) throw notFound('allocation rule', params.id!);
  });
}
