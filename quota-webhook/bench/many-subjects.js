/**
 * The ledger of the benches of /metrics' background work (metrics-forecast.js,
 * metrics-anomalies.js): calls spread evenly over a time range from 200
 * departments, 200 features, 10 orgs and 2 providers with one model each
 * (2,000 users), so hundreds of subjects each have a long history.
 */
export const DEPARTMENTS = 200;
export const FEATURES = 200;
export const USERS = 2000;
/** Records per `UsageIntake.ingest` call of a backfill. */
export const BATCH = 5000;
const MODELS = [
  { provider: 'openai', request: 'gpt-4o-mini', response: 'gpt-4o-mini-2024-07-18' },
  { provider: 'anthropic', request: 'claude-sonnet-4-5', response: 'claude-sonnet-4-5-20250929' },
];

/**
 * Records `from` … `from + size − 1` of `total` spread evenly over [start, end), ids `${idPrefix}-${n}`;
 * with `errorEvery`, every such record failed (HTTP 500).
 */
export function manySubjectsBatch(from, size, total, { start, end, idPrefix, errorEvery = 0 }) {
  const out = new Array(size);
  for (let i = 0; i < size; i++) {
    const n = from + i;
    const user = (n * 31) % USERS;
    const model = MODELS[n % 2];
    const failed = errorEvery > 0 && n % errorEvery === 0;
    out[i] = {
      id: `${idPrefix}-${n}`, time: new Date(start + Math.floor((n * (end - start)) / total)).toISOString(), org: `org-${user % 10}`,
      department: `dept-${user % DEPARTMENTS}`, user: `user-${user}`, feature: `feature-${(n * 7) % FEATURES}`, provider: model.provider, operation: 'chat',
      request_model: model.request, response_model: model.response, tokens: { input: 200 + (n % 800), output: 20 + (n % 300) },
      cost_usd: null, outcome: failed ? 'error' : 'ok', ...(failed ? { error_type: '500' } : {}), latency_ms: 100, source: 'sdk',
    };
  }
  return out;
}
