/**
 * The local OTLP/HTTP sink the bench's contenders export their spans to, as
 * a collector on the same host would receive them: it reads each request
 * and answers 200, counting requests and bytes per contender (each exports
 * under its own base path, `/<contender>/v1/traces`).
 */
import { createServer } from 'node:http';

export async function startOtlpSink() {
  const counts = new Map();
  const server = createServer((req, res) => {
    const contender = (req.url ?? '/').split('/')[1] ?? '';
    let bytes = 0;
    req.on('data', (chunk) => (bytes += chunk.length));
    req.on('end', () => {
      const count = counts.get(contender) ?? { requests: 0, bytes: 0 };
      count.requests += 1;
      count.bytes += bytes;
      counts.set(contender, count);
      res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/x-protobuf' }).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    /** The OTLP endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT`) of one contender. */
    endpoint: (contender) => `${base}/${contender}`,
    /** What reached the sink from one contender so far. */
    received: (contender) => ({ ...(counts.get(contender) ?? { requests: 0, bytes: 0 }) }),
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}
