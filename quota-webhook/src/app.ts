/** The express app factory (used by `main.ts` and the tests). */
import express, { type NextFunction, type Request, type Response } from 'express';
import { Authenticator } from './api/auth.js';
import { mountBudgets } from './api/budgets.js';
import { mountDirectory } from './api/directory.js';
import { mountEnforcement } from './api/enforcement.js';
import { mountPrices } from './api/prices.js';
import { mountProviders } from './api/providers.js';
import { mountQuotas } from './api/quotas.js';
import { mountReportSchedules } from './api/report-schedules.js';
import { mountReports } from './api/reports.js';
import { Api } from './api/route.js';
import { mountUsage } from './api/usage.js';
import type { ControlPlane } from './control-plane.js';
import { SseHub } from './enforcement/sse.js';
import { ApiError } from './errors.js';
import { isReady, registerHealthMetrics } from './health.js';
import { registerLedgerMetrics } from './metrics/ledger-metrics.js';
import { scrapeTotals } from './metrics/scrape-totals.js';
import { buildOpenApi } from './openapi.js';
import { registerQuotaMetrics } from './quotas/metrics.js';
import type { Telemetry } from './telemetry.js';

export const VERSION = '0.1.0';

export interface AppHandle {
  app: express.Express;
  hub: SseHub;
  openapi: object;
  /** False while draining: `/readyz` answers 503. */
  setReady(ready: boolean): void;
}

export function createApp(cp: ControlPlane, telemetry: Telemetry): AppHandle {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const auth = new Authenticator(cp.config.tokens);
  const hub = new SseHub(cp.feed, { coalesceMillis: cp.config.sseCoalesceMillis, heartbeatMillis: cp.config.sseHeartbeatMillis });
  const quotaMetrics = registerQuotaMetrics(telemetry.registry, cp);
  const ledgerMetrics = registerLedgerMetrics(telemetry.registry, cp);
  let ready = true;
  const health = { version: VERSION, store: cp.store, ready: () => ready };
  registerHealthMetrics(telemetry.registry, health);

  app.use((req: Request, res: Response, next: NextFunction) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const known = ['/metrics', '/healthz', '/readyz', '/api/v1/openapi.json'];
      const template = typeof res.locals.route === 'string' ? res.locals.route : known.includes(req.path) ? req.path : 'unmatched';
      telemetry.httpDuration.observe({ method: req.method, route: template, status_code: String(res.statusCode) }, Number(process.hrtime.bigint() - start) / 1e9);
    });
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const r = await isReady(health);
    if (r.ready) res.json({ status: 'ready' });
    else res.status(503).json({ status: 'not ready', message: r.message });
  });
  // `/metrics` shows per-subject spend: with TOKENMETER_METRICS_TOKEN set it needs that token (or read/admin).
  const metricsAuth = cp.config.tokens.metrics !== undefined ? [auth.require(['metrics', 'read'])] : [];
  app.get('/metrics', ...metricsAuth, async (_req, res) => {
    const totals = scrapeTotals(cp.store);
    const [own, quotas, ledger] = await Promise.all([telemetry.registry.metrics(), quotaMetrics(totals), ledgerMetrics(totals)]);
    res.setHeader('Content-Type', telemetry.registry.contentType);
    res.send(Buffer.concat([Buffer.from(`${own}\n`), ...quotas, Buffer.from('\n'), ...ledger]));
  });

  const router = express.Router();
  const api = new Api(router, auth, express.json({ limit: cp.config.bodyLimitBytes, strict: true, type: ['application/json', 'application/*+json'] }));
  mountUsage(api, cp, telemetry);
  mountQuotas(api, cp);
  mountBudgets(api, cp);
  mountPrices(api, cp);
  mountProviders(api, cp);
  mountDirectory(api, cp);
  mountEnforcement(api, cp, hub, telemetry);
  mountReports(api, cp);
  mountReportSchedules(api, cp);
  const openapi = buildOpenApi(api.specs, VERSION);
  router.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  router.use((req, _res, next) => {
    next(new ApiError(404, 'not_found', `no route ${req.method} ${req.baseUrl}${req.path}`));
  });
  app.use('/api/v1', router);

  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const e = err as { type?: string; status?: number; message?: string; limit?: number };
    let apiError: ApiError;
    if (err instanceof ApiError) apiError = err;
    else if (e.type === 'entity.too.large') {
      apiError = new ApiError(413, 'body_too_large', `request body: larger than the ${e.limit ?? cp.config.bodyLimitBytes} byte limit`, [{ path: '', message: 'body too large' }]);
    } else if (e.type === 'entity.parse.failed') {
      apiError = new ApiError(400, 'invalid_json', `request body: malformed JSON (${e.message ?? 'parse error'})`, [{ path: '', message: 'malformed JSON' }]);
    } else if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      apiError = new ApiError(e.status, 'bad_request', e.message ?? 'bad request');
    } else {
      cp.onError(err);
      apiError = new ApiError(500, 'internal', 'internal error');
    }
    res.status(apiError.status).json(apiError.toJSON());
  });
  return { app, hub, openapi, setReady: (r) => { ready = r; } };
}
