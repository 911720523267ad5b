/** `/enforcement` (ETag = revision), `/enforcement/stream` (SSE), `/blocks`, `/alerts/alertmanager`, `/audit`. */
import { z } from 'zod';
import { QUOTA_SCOPES } from '@tokenmeter/instrumentation/protocol';
import type { ControlPlane } from '../control-plane.js';
import { manualBlockId, wireBlock } from '../enforcement/blocks.js';
import { AlertReceiver, alertmanagerPayloadSchema } from '../enforcement/receiver.js';
import type { SseHub } from '../enforcement/sse.js';
import { notFound } from '../errors.js';
import type { Telemetry } from '../telemetry.js';
import { instant, intParam } from './params.js';
import { notModified } from './conditional.js';
import type { Api } from './route.js';

export const manualBlockSchema = z.strictObject({
  scope: z.enum(QUOTA_SCOPES),
  subject: z.string().min(1, 'must not be empty').max(256),
  message: z.string().max(1000).optional(),
  reset_at: z.string().refine((s) => !Number.isNaN(Date.parse(s)) && /T/.test(s), { message: 'must be an RFC 3339 date-time' }).optional(),
  reason: z.string().max(1000).optional(),
});

const unblockQuery = z.strictObject({ reason: z.string().min(1, 'must not be empty').max(1000).optional() });

const auditQuery = z.strictObject({ from: instant.optional(), to: instant.optional(), kind: z.string().max(64).optional(), limit: intParam(1, 10_000).optional() });

export function mountEnforcement(api: Api, cp: ControlPlane, hub: SseHub, telemetry: Telemetry): void {
  api.add({ method: 'get', path: '/enforcement', tag: 'enforcement', roles: ['read', 'ingest'], statuses: [200, 304], summary: 'Blocks, provider states and limits (ETag = revision)' },
    ({ req, res }) => {
      const state = cp.feed.state();
      return notModified(req, res, `"${state.revision}"`) ? undefined : state;
    });

  api.add({ method: 'get', path: '/enforcement/stream', tag: 'enforcement', roles: ['read', 'ingest'], summary: 'SSE: `state` event with the full snapshot on connect and on every change', responseContentType: 'text/event-stream' },
    ({ req, res }) => {
      hub.handle(req, res);
      return undefined;
    });

  const receiver = new AlertReceiver(cp);
  api.add({ method: 'post', path: '/alerts/alertmanager', tag: 'alerts', roles: ['alertmanager'], body: alertmanagerPayloadSchema, statuses: [200], summary: 'Alertmanager webhook (payload version 4)' },
    async ({ body, actor }) => {
      for (const a of body.alerts) telemetry.alertsReceived.inc({ action: a.labels.tokenmeter_action ?? 'none', status: a.status });
      const r = await receiver.receive(body, actor === 'anonymous' ? 'alertmanager' : actor);
      return { received: r.received, blocked: r.blocked, unblocked: r.unblocked };
    });

  api.add({ method: 'get', path: '/blocks', tag: 'blocks', roles: ['read'], summary: 'Active blocks' }, () => ({ blocks: cp.blocks.list().map(wireBlock) }));

  api.add({ method: 'post', path: '/blocks', tag: 'blocks', roles: [], body: manualBlockSchema, summary: 'Block a subject by hand (audited)' },
    async ({ body, actor, res }) => {
      const block = {
        id: manualBlockId(), scope: body.scope, subject: body.subject, reason: 'manual' as const, since: new Date(cp.clock()).toISOString(),
        ...(body.message !== undefined ? { message: body.message } : {}),
        ...(body.reset_at !== undefined ? { reset_at: new Date(Date.parse(body.reset_at)).toISOString() } : {}),
      };
      await cp.blocks.add(block, actor, body.reason ?? 'manual block');
      res.status(201);
      return wireBlock(block);
    });

  api.add({ method: 'delete', path: '/blocks/:id', tag: 'blocks', roles: [], query: unblockQuery, summary: 'Lift a block by hand (audited; `reason` goes to the audit record)' }, async ({ params, actor, query }) => {
    const reason = query.reason ?? 'manual unblock';
    if (!(await cp.blocks.remove(params.id!, actor, reason))) throw notFound('block', params.id!);
    return undefined;
  });

  api.add({ method: 'get', path: '/audit', tag: 'audit', roles: ['read'], query: auditQuery, summary: 'Audit records (blocks, unblocks, prices, re-pricing, quotas) with actor and reason' },
    async ({ query }) => {
      const entries = await cp.audit.list({ from: query.from, to: query.to, kind: query.kind, limit: query.limit });
      return { entries: entries.map((e) => ({ ...e, time: new Date(e.time_ms).toISOString() })) };
    });

  api.add({ method: 'post', path: '/admin/rebuild-totals', tag: 'admin', roles: [], statuses: [200], summary: 'Rebuild every running total from the ledger records' },
    async ({ actor }) => {
      const r = await cp.ledger.rebuildTotals();
      await cp.audit.record({ kind: 'ledger', action: 'rebuild-totals', actor, data: r });
      await cp.feed.refresh();
      return r;
    });
}
