/**
 * The Prometheus endpoint (`GET /metrics`), health (`/healthz`, `/readyz`)
 * and `GET /debug/vars` (JSON: CPU time, memory, counters; the benchmark
 * reads the collector's own CPU time from it). `/metrics` and `/debug/vars`
 * carry per-user spend and volumes: with a metrics token they answer 401
 * without `Authorization: Bearer <token>`; health stays open for probes.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { BEARER_CHALLENGE } from '../util/bearer-token.js';
import type { BearerTokens } from '../util/bearer-token.js';
import { EXPOSITION_CONTENT_TYPE, renderExposition } from './prometheus-text.js';
import type { ExpositionSources } from './prometheus-text.js';

export function createMetricsServer(sources: ExpositionSources, isReady: () => boolean, tokens: BearerTokens): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET', 'content-type': 'text/plain' }).end('use GET\n');
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    if (path === '/readyz') {
      const ready = isReady();
      res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' }).end(ready ? 'ready\n' : 'starting\n');
      return;
    }
    if (path !== '/metrics' && path !== '/debug/vars') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: use /metrics, /healthz, /readyz or /debug/vars\n');
      return;
    }
    if (!tokens.allows(req.headers.authorization)) {
      res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': BEARER_CHALLENGE }).end(`${path} needs Authorization: Bearer <TOKENMETER_COLLECTOR_METRICS_TOKEN>\n`);
      return;
    }
    if (path === '/metrics') {
      const body = renderExposition(sources);
      res.writeHead(200, { 'content-type': EXPOSITION_CONTENT_TYPE, 'content-length': Buffer.byteLength(body) }).end(body);
      return;
    }
    const cpu = process.cpuUsage();
    const mem = process.memoryUsage();
    const { self, store, forwarder, directory } = sources;
    const body = JSON.stringify({
      cpu_user_micros: cpu.user,
      cpu_system_micros: cpu.system,
      rss_bytes: mem.rss,
      heap_used_bytes: mem.heapUsed,
      heap_total_bytes: mem.heapTotal,
      external_bytes: mem.external,
      array_buffers_bytes: mem.arrayBuffers,
      received: self.received,
      calls: self.calls,
      inflight: self.inflight,
      inflight_bytes: self.inflightBytes,
      series: store.seriesCount(),
      requests: Object.fromEntries([...self.requests].map(([k, v]) => [k.replace('\u0000', ' '), v])),
      ledger_buffered: forwarder?.buffered() ?? 0,
      directory_users: directory?.size() ?? 0,
      directory_syncs: directory?.syncs ?? 0,
    });
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
}
