/** `/budgets`: soft cost quotas (monthly by default) with their own ids (`budget-…`). */
import { randomUUID } from 'node:crypto';
import type { ControlPlane } from '../control-plane.js';
import { ApiError, notFound } from '../errors.js';
import { DEFAULT_THRESHOLDS, budgetAsQuota, budgetCreateSchema, budgetView, type Budget } from '../quotas/model.js';
import { listQuery, statusView } from './quotas.js';
import type { Api } from './route.js';

type BudgetInput = ReturnType<typeof budgetCreateSchema.parse>;

function build(input: BudgetInput, id: string, createdAt: string, now: string): Budget {
  return {
    id,
    ...(input.name !== undefined ? { name: input.name } : {}),
    scope: input.scope,
    subject: input.subject,
    ...(input.overrides ? { overrides: input.overrides } : {}),
    amount: (input.amount ?? input.limit)!,
    period: input.period ?? 'month',
    timezone: input.timezone ?? 'UTC',
    thresholds: [...(input.thresholds ?? DEFAULT_THRESHOLDS)].sort((a, b) => a - b),
    ...(input.org !== undefined ? { org: input.org } : {}),
    created_at: createdAt,
    updated_at: now,
  };
}

export function mountBudgets(api: Api, cp: ControlPlane): void {
  const now = (): string => new Date(cp.clock()).toISOString();
  api.add({ method: 'get', path: '/budgets', tag: 'budgets', roles: ['read'], query: listQuery, summary: 'List budgets; with `status=true` each carries its current usage, utilisation and next reset' },
    async ({ query }) => {
      const budgets = cp.quotaSet.budgets.list();
      if (query.status !== 'true') return { budgets: budgets.map(budgetView) };
      const statuses = await cp.quotaSet.evaluate(budgets.map(budgetAsQuota));
      return { budgets: budgets.map((b, i) => ({ ...budgetView(b), status: statusView(statuses[i]!) })) };
    });

  api.add({ method: 'post', path: '/budgets', tag: 'budgets', roles: [], body: budgetCreateSchema, summary: 'Create a budget' },
    async ({ body, actor, res }) => {
      const id = body.id ?? `budget-${randomUUID()}`;
      if (!id.startsWith('budget-')) throw new ApiError(400, 'invalid_request', 'id: a budget id must start with "budget-"', [{ path: 'id', message: 'must start with "budget-"' }]);
      if (cp.quotaSet.taken(id)) throw new ApiError(409, 'conflict', `id: "${id}" already exists`, [{ path: 'id', message: 'already exists' }]);
      const b = build(body, id, now(), now());
      await cp.quotaSet.budgets.put(id, b, actor, 'create');
      res.status(201);
      return budgetView(b);
    });

  api.add({ method: 'get', path: '/budgets/:id', tag: 'budgets', roles: ['read'], summary: 'Get a budget' }, ({ params }) => {
    const b = cp.quotaSet.budgets.get(params.id!);
    if (!b) throw notFound('budget', params.id!);
    return budgetView(b);
  });

  api.add({ method: 'put', path: '/budgets/:id', tag: 'budgets', roles: [], body: budgetCreateSchema, statuses: [200, 201], summary: 'Create or replace a budget' },
    async ({ body, params, actor, res }) => {
      const id = params.id!;
      if (!id.startsWith('budget-')) throw new ApiError(400, 'invalid_request', 'id: a budget id must start with "budget-"', [{ path: 'id', message: 'must start with "budget-"' }]);
      if (body.id !== undefined && body.id !== id) throw new ApiError(400, 'invalid_request', `id: "${body.id}" does not match the path id "${id}"`, [{ path: 'id', message: 'must match the path' }]);
      if (cp.quotaSet.quotas.has(id)) throw new ApiError(409, 'conflict', `id: "${id}" is a quota`, [{ path: 'id', message: 'is a quota' }]);
      const old = cp.quotaSet.budgets.get(id);
      const b = build(body, id, old?.created_at ?? now(), now());
      await cp.quotaSet.budgets.put(id, b, actor, old ? 'update' : 'create');
      if (!old) res.status(201);
      return budgetView(b);
    });

  api.add({ method: 'delete', path: '/budgets/:id', tag: 'budgets', roles: [], summary: 'Delete a budget' }, async ({ params, actor }) => {
    if (!(await cp.quotaSet.budgets.delete(params.id!, actor))) throw notFound('budget', params.id!);
    return undefined;
  });
}
