/** `/quotas` and `/quotas/{id}/status`. */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { formatUsd } from '@tokenmeter/instrumentation/pricing';
import type { ControlPlane } from '../control-plane.js';
import { ApiError, notFound } from '../errors.js';
import type { QuotaStatus } from '../quotas/evaluate.js';
import { DEFAULT_THRESHOLDS, quotaCreateSchema, quotaPatchSchema, quotaPutSchema, type Quota } from '../quotas/model.js';
import type { Api } from './route.js';

/** `?status=true` on the lists. */
export const listQuery = z.strictObject({ status: z.enum(['true', 'false']).optional() });

type QuotaInput = ReturnType<typeof quotaCreateSchema.parse>;

function build(input: QuotaInput, id: string, createdAt: string, now: string): Quota {
  return {
    id,
    ...(input.name !== undefined ? { name: input.name } : {}),
    scope: input.scope,
    subject: input.subject,
    ...(input.overrides ? { overrides: input.overrides } : {}),
    metric: input.metric,
    period: input.period,
    timezone: input.timezone ?? 'UTC',
    limit: input.limit,
    enforcement: input.enforcement ?? 'soft',
    thresholds: [...(input.thresholds ?? DEFAULT_THRESHOLDS)].sort((a, b) => a - b),
    ...(input.org !== undefined ? { org: input.org } : {}),
    created_at: createdAt,
    updated_at: now,
  };
}

/** The status view of one evaluated quota. */
export function statusView(s: QuotaStatus): object {
  return {
    quota_id: s.quota.id,
    metric: s.quota.metric,
    period: s.quota.period,
    timezone: s.quota.timezone,
    enforcement: s.quota.enforcement,
    windows: s.windows.map((w) => ({
      subject: w.subject, limit: w.limit, usage: w.usage, utilization: w.utilization,
      ...(s.quota.metric === 'cost' ? { usage_usd: formatUsd(w.usage_exact), limit_usd: formatUsd(w.limit_exact) } : {}),
      window_start: new Date(w.window_start).toISOString(), next_reset: new Date(w.next_reset).toISOString(),
    })),
  };
}

export function mountQuotas(api: Api, cp: ControlPlane): void {
  const now = (): string => new Date(cp.clock()).toISOString();
  api.add({ method: 'get', path: '/quotas', tag: 'quotas', roles: ['read'], query: listQuery, summary: 'List quotas; with `status=true` each carries its current usage, utilisation and next reset (one evaluation)' },
    async ({ query }) => {
      const quotas = cp.quotaSet.quotas.list();
      if (query.status !== 'true') return { quotas };
      const statuses = await cp.quotaSet.evaluate(quotas);
      return { quotas: quotas.map((q, i) => ({ ...q, status: statusView(statuses[i]!) })) };
    });

  api.add({ method: 'post', path: '/quotas', tag: 'quotas', roles: [], body: quotaCreateSchema, summary: 'Create a quota' },
    async ({ body, actor, res }) => {
      const id = body.id ?? `quota-${randomUUID()}`;
      if (cp.quotaSet.taken(id)) throw new ApiError(409, 'conflict', `id: quota "${id}" already exists`, [{ path: 'id', message: 'already exists' }]);
      const q = build(body, id, now(), now());
      await cp.quotaSet.quotas.put(id, q, actor, 'create');
      res.status(201);
      return q;
    });

  api.add({ method: 'get', path: '/quotas/:id', tag: 'quotas', roles: ['read'], summary: 'Get a quota' }, ({ params }) => {
    const q = cp.quotaSet.quotas.get(params.id!);
    if (!q) throw notFound('quota', params.id!);
    return q;
  });

  api.add({ method: 'put', path: '/quotas/:id', tag: 'quotas', roles: [], body: quotaPutSchema, statuses: [200, 201], summary: 'Create or replace a quota' },
    async ({ body, params, actor, res }) => {
      const id = params.id!;
      if (body.id !== undefined && body.id !== id) throw new ApiError(400, 'invalid_request', `id: "${body.id}" does not match the path id "${id}"`, [{ path: 'id', message: 'must match the path' }]);
      if (cp.quotaSet.budgets.has(id)) throw new ApiError(409, 'conflict', `id: "${id}" is a budget`, [{ path: 'id', message: 'is a budget' }]);
      const old = cp.quotaSet.quotas.get(id);
      const q = build(body, id, old?.created_at ?? now(), now());
      await cp.quotaSet.quotas.put(id, q, actor, old ? 'update' : 'create');
      if (!old) res.status(201);
      return q;
    });

  api.add({ method: 'patch', path: '/quotas/:id', tag: 'quotas', roles: [], body: quotaPatchSchema, summary: 'Change some fields of a quota' },
    async ({ body, params, actor }) => {
      const old = cp.quotaSet.quotas.get(params.id!);
      if (!old) throw notFound('quota', params.id!);
      const merged: Record<string, unknown> = { ...old };
      for (const [k, v] of Object.entries(body)) {
        if (v === null) delete merged[k];
        else if (v !== undefined) merged[k] = v;
      }
      const q = { ...(merged as unknown as Quota), thresholds: [...(merged.thresholds as number[])].sort((a, b) => a - b), updated_at: now() };
      await cp.quotaSet.quotas.put(q.id, q, actor, 'update');
      return q;
    });

  api.add({ method: 'delete', path: '/quotas/:id', tag: 'quotas', roles: [], summary: 'Delete a quota (lifts its blocks)' },
    async ({ params, actor }) => {
      if (!(await cp.quotaSet.quotas.delete(params.id!, actor))) throw notFound('quota', params.id!);
      return undefined;
    });

  api.add({ method: 'get', path: '/quotas/:id/status', tag: 'quotas', roles: ['read'], summary: 'Current usage, utilisation and next reset of every subject of a quota (or budget)' },
    async ({ params }) => {
      const q = cp.quotaSet.find(params.id!);
      if (!q) throw notFound('quota', params.id!);
      const [s] = await cp.quotaSet.evaluate([q]);
      return statusView(s!);
    });
}
