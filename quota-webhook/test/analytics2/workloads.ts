/**
 * Generated ledgers with a known answer for the chargeback and recommendation
 * tests, as wire records (`POST /api/v1/usage`). Every figure the tests
 * expect is computed by hand from the bundled list prices in the comments.
 */
export const NOW = Date.parse('2026-11-20T12:00:00Z');
const MINUTE = 60_000;
const DAY = 86_400_000;

let seq = 0;
function hash(n: number, salt: string): string {
  return `${salt}${n.toString(16)}`.padEnd(32, '0').slice(0, 32).replace(/[^0-9a-f]/g, 'a');
}

interface Over {
  [k: string]: unknown;
}

export function wire(time: number, over: Over): Record<string, unknown> {
  seq++;
  return {
    id: `a2-${process.pid}-${seq}`,
    time: new Date(time).toISOString(),
    operation: 'chat',
    cost_usd: null,
    outcome: 'ok',
    latency_ms: 800,
    source: 'sdk',
    ...over,
  };
}

/**
 * Feature `rag` sends the same 6,000-token prefix (6,200 input tokens) to
 * Claude Sonnet 4.5 on every call, once a minute for 10 hours from
 * 2026-11-10T00:00Z: 600 calls, no cache reads or writes, in 120 five-minute
 * and 10 one-hour buckets.
 * Prefix as billed: 3.6 M × $3 = $10.80. Cached with a 1-hour TTL: 10 writes
 * of 6,000 at $6/M = $0.36 + 3.54 M reads at $0.30/M = $1.062 → $1.422
 * (cheaper than 5-minute: 720 k × $3.75 + 2.88 M × $0.30 = $3.564).
 * Savings over the 30-day window: $9.378; per month × 2,629,746,000 /
 * 2,592,000,000 = $9.514567125.
 */
export function cachingWorkload(): Array<Record<string, unknown>> {
  const start = Date.parse('2026-11-10T00:00:00Z');
  return Array.from({ length: 600 }, (_, i) => wire(start + i * MINUTE, {
    org: 'acme', department: 'eng', user: `u${i % 7}`, feature: 'rag', provider: 'anthropic', request_model: 'claude-sonnet-4-5',
    response_model: 'claude-sonnet-4-5-20250929', stream: true,
    tokens: { input: 6200, output: 100, cache_read: 0, cache_write: 0, reasoning: 0 },
    fingerprint: { prefix_hash: 'feedfacefeedface', request_hash: hash(i, 'c'), prefix_tokens: 6000, max_output_tokens: 1024, finish_reason: 'end_turn' },
  }));
}

/**
 * Feature `nightly-etl` (service `etl`, no user, not streamed) runs 30 calls
 * on GPT-5 at 02:00–02:29 UTC on 10 nights (2026-11-01 … 11-10): 300 calls of
 * 10,000 input + 1,000 output tokens = 3 M in × $1.25 + 300 k out × $10 =
 * $6.75; at batch rates $3.375. Savings $3.375 in the window; per month
 * $3.4241484375.
 */
export function nightlyWorkload(): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (let night = 0; night < 10; night++) {
    const base = Date.parse('2026-11-01T02:00:00Z') + night * DAY;
    for (let i = 0; i < 30; i++) {
      out.push(wire(base + i * MINUTE, {
        org: 'acme', department: 'data', feature: 'nightly-etl', service: 'etl', provider: 'openai', request_model: 'gpt-5', stream: false,
        tokens: { input: 10_000, output: 1_000, cache_read: 0, cache_write: 0, reasoning: 0 },
        fingerprint: { prefix_hash: hash(night * 100 + i, 'e'), request_hash: hash(night * 100 + i, 'f'), prefix_tokens: 200, finish_reason: 'stop' },
      }));
    }
  }
  return out;
}

/**
 * Feature `classify` sends 1,000 short calls (500 in, 20 out, no tools) to
 * Claude Opus 4.5 ($5 / $25), one every 10 minutes from 2026-11-05: $2.50 +
 * $0.50 = $3.00. On Claude Sonnet 4.5 ($3 / $15): $1.50 + $0.30 = $1.80.
 * Savings $1.20 in the window; per month $1.217475.
 * Its value is $0.01 per successful call from 2026-11-01: $10 over the
 * period, ROI (10 − 3) / 3 = 2.3333.
 */
export function simpleWorkload(): Array<Record<string, unknown>> {
  const start = Date.parse('2026-11-05T00:00:00Z');
  return Array.from({ length: 1000 }, (_, i) => wire(start + i * 10 * MINUTE, {
    org: 'acme', department: 'support', user: `agent${i % 12}`, feature: 'classify', provider: 'anthropic', request_model: 'claude-opus-4-5', stream: true,
    tokens: { input: 500, output: 20, cache_read: 0, cache_write: 0, reasoning: 0 },
    fingerprint: { prefix_hash: hash(i, 'a'), request_hash: hash(i, 'b'), prefix_tokens: 300, max_output_tokens: 64, finish_reason: 'end_turn' },
  }));
}

/**
 * October 2026, GPT-5 ($1.25 / $10): every call 1,000 in + 100 out =
 * 2,250,000,000 pico-USD, except one unattributed call of 1,001 in
 * (2,251,250,000). eng 10 calls (feature f1 6, f2 4), sales 5, support 3 —
 * direct 22.5, 11.25, 6.75 × 10⁹; 7 calls without a department
 * (15,751,250,000); 4 calls of the shared feature `platform-search` in
 * department `platform` (9 × 10⁹). Ledger total 65,251,250,000 = $0.06525125.
 */
export function chargebackWorkload(): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  let minute = 0;
  const call = (over: Over, input = 1000): void => {
    out.push(wire(Date.parse('2026-10-03T00:00:00Z') + minute++ * MINUTE, {
      org: 'acme', provider: 'openai', request_model: 'gpt-5', tokens: { input, output: 100, cache_read: 0, cache_write: 0, reasoning: 0 }, ...over,
    }));
  };
  for (let i = 0; i < 6; i++) call({ department: 'eng', feature: 'f1', project: 'search-v2', user: 'ann', investigation: i < 2 ? 'inc-7' : undefined });
  for (let i = 0; i < 4; i++) call({ department: 'eng', feature: 'f2', project: 'search-v2', user: 'bob' });
  for (let i = 0; i < 5; i++) call({ department: 'sales', feature: 'crm', user: 'cat' });
  for (let i = 0; i < 3; i++) call({ department: 'support', feature: 'bot', user: 'dan' });
  for (let i = 0; i < 6; i++) call({ feature: 'f1' });
  call({ feature: 'f1' }, 1001);
  for (let i = 0; i < 4; i++) call({ department: 'platform', feature: 'platform-search', service: 'search' });
  return out;
}

/**
 * Prompt efficiency and failed spend on GPT-5 ($1.25 / $10) and GPT-5 mini ($0.25 / $2):
 * - `summarize`: 20 answers cut at the length limit (2,000 in, 256 out), each
 *   retried 30 s later with the same prefix: 20 × $0.00506 = $0.1012 wasted;
 *   3 failed calls billed 1,000 input tokens each: $0.00375.
 * - `faq`: one request (800 in, 50 out) sent 5 times on 2026-11-15: 4 repeats × $0.0003 = $0.0012.
 */
export function efficiencyWorkload(): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const start = Date.parse('2026-11-14T08:00:00Z');
  for (let i = 0; i < 20; i++) {
    const t = start + i * 10 * MINUTE;
    const fp = (finish: string, r: string) => ({ prefix_hash: hash(i, 'd'), request_hash: hash(i, r), prefix_tokens: 1500, max_output_tokens: 256, finish_reason: finish });
    const base = { org: 'acme', department: 'eng', user: 'eve', feature: 'summarize', provider: 'openai', request_model: 'gpt-5', stream: true };
    out.push(wire(t, { ...base, tokens: { input: 2000, output: 256, cache_read: 0, cache_write: 0, reasoning: 0 }, fingerprint: fp('length', 'a') }));
    out.push(wire(t + 30_000, { ...base, tokens: { input: 2000, output: 400, cache_read: 0, cache_write: 0, reasoning: 0 }, fingerprint: { ...fp('stop', 'b'), max_output_tokens: 1024 } }));
  }
  for (let i = 0; i < 3; i++) {
    out.push(wire(start + (300 + i) * MINUTE, {
      org: 'acme', department: 'eng', feature: 'summarize', provider: 'openai', request_model: 'gpt-5', outcome: 'error', error_type: 'timeout',
      tokens: { input: 1000, output: 0, cache_read: 0, cache_write: 0, reasoning: 0 },
    }));
  }
  for (let i = 0; i < 5; i++) {
    out.push(wire(Date.parse('2026-11-15T10:00:00Z') + i * 7 * MINUTE, {
      org: 'acme', department: 'sales', user: `s${i}`, feature: 'faq', provider: 'openai', request_model: 'gpt-5-mini', stream: true,
      tokens: { input: 800, output: 50, cache_read: 0, cache_write: 0, reasoning: 0 },
      fingerprint: { prefix_hash: 'abcabcabcabcabca', request_hash: 'facefacefaceface', prefix_tokens: 600, finish_reason: 'stop' },
    }));
  }
  return out;
}
