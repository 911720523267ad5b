// Load generator (its own process): sends one pre-encoded OTLP body over
// keep-alive HTTP from `concurrency` workers for `seconds`, then prints the
// counts by status and the response times (ms, p50/p99/max) as JSON on stdout.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';

const { url, bodyFile, seconds, concurrency } = JSON.parse(process.argv[2]);
const body = readFileSync(bodyFile);
const target = new URL(url);
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const byStatus = {};
const latencies = [];
const deadline = Date.now() + seconds * 1000;

function once() {
  const sent = performance.now();
  return new Promise((resolve) => {
    const req = request(
      { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length } },
      (res) => {
        res.resume();
        res.on('end', () => {
          byStatus[res.statusCode] = (byStatus[res.statusCode] ?? 0) + 1;
          latencies.push(performance.now() - sent);
          resolve();
        });
      },
    );
    req.on('error', () => {
      byStatus.error = (byStatus.error ?? 0) + 1;
      setTimeout(resolve, 10);
    });
    req.end(body);
  });
}

async function worker() {
  while (Date.now() < deadline) await once();
}

const start = Date.now();
await Promise.all(Array.from({ length: concurrency }, worker));
agent.destroy();
latencies.sort((a, b) => a - b);
const at = (q) => (latencies.length === 0 ? 0 : latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]);
process.stdout.write(JSON.stringify({ byStatus, elapsedMs: Date.now() - start, latencyMs: { p50: at(0.5), p99: at(0.99), max: at(1) } }));
