/** Test helpers: an in-process control plane on a free loopback port with known tokens. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, startServer, type Config, type RunningServer } from '../src/index.js';
import type { Store } from '../src/store/types.js';

export const TOKENS = { admin: 'admin-token', read: 'read-token', ingest: 'ingest-token', alertmanager: 'am-token' } as const;

export interface TestServer extends RunningServer {
  /** fetch relative to the server with a role's token (or none). */
  call(method: string, path: string, options?: { token?: keyof typeof TOKENS | null; body?: unknown; raw?: string; headers?: Record<string, string> }): Promise<Response>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests inspect JSON bodies ad hoc
  json<T = any>(method: string, path: string, body?: unknown, token?: keyof typeof TOKENS): Promise<{ status: number; body: T; headers: Headers }>;
  clock: { now: number };
  dir: string;
  stop(): Promise<void>;
}

export async function startTestServer(options: { config?: Partial<Config>; store?: Store; now?: number; dbFile?: boolean } = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tokenmeter-qw-'));
  const clock = { now: options.now ?? Date.now() };
  const config = defaultConfig({
    host: '127.0.0.1', port: 0, tokens: { ...TOKENS }, sseCoalesceMillis: 50, resetCheckMillis: 3_600_000,
    dbUrl: options.dbFile ? join(dir, 'ledger.db') : ':memory:', ...options.config,
  });
  const running = await startServer({ config, store: options.store, clock: () => clock.now, onError: () => {} });
  const call: TestServer['call'] = (method, path, o = {}) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    const token = o.token === undefined ? 'admin' : o.token;
    if (token !== null) headers.authorization = `Bearer ${TOKENS[token]}`;
    let body: string | undefined;
    if (o.raw !== undefined) body = o.raw;
    else if (o.body !== undefined) body = JSON.stringify(o.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    return fetch(`${running.url}${path}`, { method, headers, body });
  };
  const json: TestServer['json'] = async (method, path, body, token = 'admin') => {
    const res = await call(method, path, { token, body });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : JSON.parse(text), headers: res.headers };
  };
  return {
    ...running, call, json, clock, dir,
    stop: async () => {
      await running.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let seq = 0;
/** A valid wire usage record; `over` replaces fields. */
export function record(over: Record<string, unknown> = {}): Record<string, unknown> {
  seq++;
  return {
    id: `rec-${process.pid}-${seq}-${Math.random().toString(36).slice(2)}`,
    time: new Date().toISOString(),
    provider: 'openai',
    operation: 'chat',
    request_model: 'gpt-4o',
    tokens: { input: 1000, output: 500, cache_read: 0, cache_write: 0, reasoning: 0 },
    cost_usd: null,
    outcome: 'ok',
    latency_ms: 12,
    source: 'sdk',
    ...over,
  };
}

/** A real Alertmanager v4 webhook payload. */
export function amPayload(status: 'firing' | 'resolved', alerts: Array<{ labels: Record<string, string>; startsAt?: string; status?: 'firing' | 'resolved'; fingerprint?: string }>): object {
  return {
    receiver: 'tokenmeter',
    status,
    alerts: alerts.map((a) => ({
      status: a.status ?? status,
      labels: a.labels,
      annotations: { summary: `${a.labels.alertname ?? 'alert'} ${status}` },
      startsAt: a.startsAt ?? '2026-01-01T00:00:00.000Z',
      endsAt: status === 'resolved' ? new Date().toISOString() : '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus:9090/graph?g0.expr=x',
      fingerprint: a.fingerprint ?? 'f00dfeed',
    })),
    groupLabels: { alertname: alerts[0]?.labels.alertname ?? '' },
    commonLabels: alerts[0]?.labels ?? {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    version: '4',
    groupKey: '{}:{alertname="x"}',
    truncatedAlerts: 0,
  };
}

/** The error envelope every 4xx carries. */
export interface ApiError { error: { code: string; message: string; details?: unknown } }

export async function errorOf(res: Response): Promise<ApiError['error']> {
  return ((await res.json()) as ApiError).error;
}

/** Labels of the project's quota alert (dashboards/prometheus/rules/tokenmeter-quotas.rules.yml) for one subject. */
export function quotaAlertLabels(q: { id: string; scope: string; subject: string; metric?: string; period?: string; enforcement?: string }, threshold = '100'): Record<string, string> {
  const hard = (q.enforcement ?? 'hard') === 'hard';
  return {
    alertname: 'TokenmeterQuotaThreshold', severity: Number(threshold) >= 100 ? 'critical' : 'warning',
    tokenmeter_action: hard && Number(threshold) >= 100 ? 'block' : 'notify', threshold,
    quota_id: q.id, scope: q.scope, subject: q.subject, metric: q.metric ?? 'cost', period: q.period ?? 'month', enforcement: q.enforcement ?? 'hard',
  };
}
