/**
 * The ledger of the chargeback and recommendation bench: 13 months of calls
 * from 1,000 users in 20 departments of 2 organisations, 50 features, four
 * priced models, as the SDK sends them (project, stream flag, prompt
 * fingerprint). Deterministic: record n is a function of n. Shapes that the
 * endpoints look for are built in:
 * - feature-0 is `platform-search`, shared by an allocation rule;
 * - users 950–999 carry no department (unattributed spend);
 * - features 1–5 are nightly jobs (no user, not streamed, 01:00–03:59 UTC);
 * - features 6–10 send one 6,000-token prefix on every call to Claude Sonnet 4.5, uncached, in office hours;
 * - features 11–15 end 30 % of their calls in tool calls; 1 % of all calls end at the length limit;
 * - 2 % of calls repeat one request of their feature and model that day; 2 % fail (billed), 0.5 % are blocked.
 */

export const USERS = 1000;
export const FEATURES = 50;
export const DEPARTMENTS = 20;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const MODELS = [
  { provider: 'openai', request: 'gpt-5', response: 'gpt-5-2025-08-07' },
  { provider: 'openai', request: 'gpt-5-mini', response: 'gpt-5-mini-2025-08-07' },
  { provider: 'anthropic', request: 'claude-sonnet-4-5', response: 'claude-sonnet-4-5-20250929' },
  { provider: 'anthropic', request: 'claude-haiku-4-5', response: 'claude-haiku-4-5-20251001' },
];

/** A cheap integer hash (deterministic spread of n). */
function mix(n) {
  let x = (n ^ 0x9e3779b9) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

function hex(n, salt) {
  return (mix(n * 31 + salt).toString(16).padStart(8, '0') + mix(n * 17 + salt + 1).toString(16).padStart(8, '0'));
}

export function featureName(f) {
  return f === 0 ? 'platform-search' : `feature-${f}`;
}

/** A record factory over [startMs, endMs): `total` records spread evenly in time. */
export function analyticsFactory(prefix, startMs, endMs, total) {
  let n = 0;
  const span = endMs - startMs;
  return {
    batch(size) {
      const out = [];
      for (let i = 0; i < size && n < total; i++, n++) {
        const h = mix(n);
        const f = h % FEATURES;
        const feature = featureName(f);
        const user = (Math.imul(n, 7919) >>> 0) % USERS;
        let time = startMs + Math.floor((n * span) / total);
        const nightly = f >= 1 && f <= 5;
        const cached = f >= 6 && f <= 10;
        if (nightly) time = Math.min(endMs - 1, time - (time % DAY) + HOUR + (h % (3 * HOUR)));
        // The cached features run in office hours (09:00–16:59 UTC), so their prefix is sent again within the hour.
        if (cached) time = Math.min(endMs - 1, time - (time % DAY) + 9 * HOUR + (h % (8 * HOUR)));
        // 2 % of calls are one request repeated all day long (per feature, on the feature's own model).
        const repeat = !nightly && (h >>> 12) % 50 === 0;
        const m = cached ? 2 : repeat ? f % MODELS.length : (h >>> 8) % MODELS.length;
        const model = MODELS[m];
        const roll = (h >>> 16) % 1000;
        const outcome = roll < 20 ? 'error' : roll < 25 ? 'blocked' : 'ok';
        const prefixTokens = cached ? 6000 : 600 + ((h >>> 4) % 2400);
        const input = outcome === 'blocked' ? 0 : cached ? 6200 : prefixTokens + 100 + ((h >>> 6) % 900);
        const output = outcome === 'blocked' ? 0 : 40 + ((h >>> 10) % 500);
        const finish = (h >>> 20) % 100 === 0 ? 'length' : f >= 11 && f <= 15 && (h >>> 22) % 10 < 3 ? 'tool_calls' : 'stop';
        const record = {
          id: `${prefix}-${n}`,
          time: new Date(time).toISOString(),
          org: `org-${user % 2}`,
          feature,
          provider: model.provider,
          operation: 'chat',
          request_model: model.request,
          response_model: model.response,
          tokens: { input, output, cache_read: 0, cache_write: 0, reasoning: 0 },
          cost_usd: null,
          outcome,
          latency_ms: 200 + (h % 3000),
          source: 'sdk',
          service: nightly ? 'batch-worker' : `svc-${f % 7}`,
          stream: !nightly,
          fingerprint: {
            prefix_hash: cached ? hex(f, 1) : hex(f * 100 + ((h >>> 3) % 20), 2),
            request_hash: repeat ? hex(f * 4 + m, 4 + Math.floor(time / DAY)) : hex(n, 3),
            prefix_tokens: prefixTokens,
            max_output_tokens: 1024,
            finish_reason: finish,
          },
        };
        if (outcome === 'error') record.error_type = (h >>> 9) % 2 === 0 ? 'timeout' : '500';
        if (!nightly) {
          record.user = `user-${user}`;
          if (user < 950) {
            record.department = `dept-${user % DEPARTMENTS}`;
            record.project = `proj-${user % DEPARTMENTS}-${f % 3}`;
          }
          if ((h >>> 5) % 33 === 0) record.investigation = `inv-${n % 500}`;
        }
        out.push(record);
      }
      return out;
    },
    get done() {
      return n >= total;
    },
  };
}
