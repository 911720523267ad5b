// Load generator for the memory benchmark (its own process): sends OTLP
// protobuf batches in which every span (traces) or data point (metrics)
// carries a user id never seen before, `users` in all, from `concurrency`
// keep-alive workers. Spans also get fresh trace/span ids and token counts,
// so nothing the collector remembers per span repeats. One batch is encoded
// once as a template; each request patches the user ids, ids and counts in a
// copy (fixed-width fields), so the generator is not the bottleneck. A 429 is
// retried after its Retry-After, as an OTLP exporter does. Prints the counts
// by status as JSON on stdout.
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { encodeMetrics, encodeTraces } from './otlp-encode.js';

const { url, kind, users, offset = 0, perRequest, concurrency } = JSON.parse(process.argv[2]);
const target = new URL(url);
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const byStatus = {};
const RESOURCE = { 'service.name': 'memory-bench', 'service.instance.id': 'bench-1' };
const MODELS = ['gpt-4o-mini', 'gpt-4.1', 'claude-sonnet-4-5'];
const DIGITS = 10;
const userId = (n) => `user-${String(n).padStart(DIGITS, '0')}`;
/** Token counts in [2^14, 2^21): always a 3-byte varint, so they can be patched in place. */
const TOKENS_BASE = 16_384;
const TOKENS_SPAN = 2_000_000;

function template() {
  const now = BigInt(Date.now()) * 1_000_000n;
  if (kind === 'traces') {
    const spans = [];
    for (let i = 0; i < perRequest; i++) {
      spans.push({
        traceId: randomBytes(16),
        spanId: randomBytes(8),
        startNs: now,
        endNs: now + 800_000_000n,
        attrs: {
          'gen_ai.provider.name': i % 3 === 2 ? 'anthropic' : 'openai',
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': MODELS[i % 3],
          'gen_ai.usage.input_tokens': TOKENS_BASE + i,
          'gen_ai.usage.output_tokens': 10 + (i % 100),
          'user.id': userId(i),
          'tokenmeter.feature': `feature-${i % 7}`,
        },
      });
    }
    const body = encodeTraces(RESOURCE, '@traceloop/instrumentation-openai', spans);
    const find = (bytes, from = 0) => {
      const at = body.indexOf(bytes, from);
      if (at < 0) throw new Error('template field not found');
      return at;
    };
    const key = Buffer.from('gen_ai.usage.input_tokens');
    let from = 0;
    const fields = spans.map((s, i) => {
      const user = find(Buffer.from(userId(i))) + 'user-'.length;
      const tokens = find(key, from) + key.length + 3; // then 0x12 len 0x18 and the varint
      from = tokens;
      return { trace: find(s.traceId), span: find(s.spanId), user, tokens };
    });
    return { body, fields };
  }
  const points = [];
  for (let i = 0; i < perRequest; i++) points.push({ attrs: { 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': MODELS[i % 3], 'gen_ai.token.type': 'input', 'user.id': userId(i) }, value: 100 + i });
  const body = encodeMetrics(RESOURCE, '@opentelemetry/instrumentation-openai', points, now);
  const fields = [];
  for (let i = 0; i < perRequest; i++) {
    const needle = Buffer.from(userId(i));
    let at = body.indexOf(needle);
    while (at >= 0) {
      fields.push({ user: at + 'user-'.length });
      at = body.indexOf(needle, at + 1);
    }
  }
  return { body, fields: fields.map((f, j) => ({ ...f, index: j % perRequest })) };
}

const { body: TEMPLATE, fields: FIELDS } = template();
let idCounter = 0n;

function batch(first) {
  const body = Buffer.from(TEMPLATE);
  for (let i = 0; i < FIELDS.length; i++) {
    const f = FIELDS[i];
    const u = offset + first + (kind === 'traces' ? i : f.index);
    body.write(String(u).padStart(DIGITS, '0'), f.user, 'latin1');
    if (kind !== 'traces') continue;
    idCounter++;
    body.writeBigUInt64BE(idCounter, f.span);
    body.writeBigUInt64BE(idCounter, f.trace + 8);
    const n = TOKENS_BASE + (u % TOKENS_SPAN);
    body[f.tokens] = (n & 0x7f) | 0x80;
    body[f.tokens + 1] = ((n >> 7) & 0x7f) | 0x80;
    body[f.tokens + 2] = n >> 14;
  }
  return body;
}

function send(body) {
  return new Promise((resolve) => {
    const req = request(
      { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, retryAfter: Number(res.headers['retry-after'] ?? 1) }));
      },
    );
    req.on('error', () => resolve({ status: 'error', retryAfter: 1 }));
    req.end(body);
  });
}

let next = 0;
async function worker() {
  for (;;) {
    const first = next;
    if (first >= users) return;
    next += perRequest;
    const body = batch(first);
    for (;;) {
      const { status, retryAfter } = await send(body);
      byStatus[status] = (byStatus[status] ?? 0) + 1;
      if (status !== 429 && status !== 'error') break;
      await new Promise((r) => setTimeout(r, retryAfter * 1000));
    }
  }
}

const start = Date.now();
await Promise.all(Array.from({ length: concurrency }, worker));
agent.destroy();
process.stdout.write(JSON.stringify({ byStatus, elapsedMs: Date.now() - start }));
