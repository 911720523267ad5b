/**
 * The synthetic traffic of the benches: usage records as the SDK sends them
 * (the `UsageRecord` wire shape), from 10,000 users in 100 departments of 10
 * organisations, 20 features, two priced models. Ids are unique per
 * generator, so every batch is new to the ledger.
 */

export const USERS = 10_000;

const MODELS = [
  { provider: 'openai', request: 'gpt-4o-mini', response: 'gpt-4o-mini-2024-07-18' },
  { provider: 'anthropic', request: 'claude-sonnet-4-5', response: 'claude-sonnet-4-5-20250929' },
];

/**
 * A record factory. `timeOf(n)` gives the epoch ms of the n-th record.
 * Every record carries org, department, user and feature, so each one adds
 * to five scopes' totals (the most the ledger does per record).
 */
export function recordFactory(prefix, timeOf) {
  let n = 0;
  return {
    /** The next `size` records. */
    batch(size) {
      const out = new Array(size);
      for (let i = 0; i < size; i++, n++) {
        const model = MODELS[n % MODELS.length];
        const user = n % USERS;
        out[i] = {
          id: `${prefix}-${n}`,
          time: new Date(timeOf(n)).toISOString(),
          org: `org-${user % 10}`,
          department: `dept-${user % 100}`,
          user: `user-${user}`,
          feature: `feature-${n % 20}`,
          session: `session-${n % 5000}`,
          provider: model.provider,
          operation: 'chat',
          request_model: model.request,
          response_model: model.response,
          tokens: { input: 200 + (n % 800), output: 20 + (n % 300), cache_read: n % 3 === 0 ? 100 : 0 },
          cost_usd: null,
          outcome: 'ok',
          latency_ms: 100 + (n % 900),
          source: 'sdk',
          service: 'bench-service',
        };
      }
      return out;
    },
  };
}
