// The demo's directory, quotas and provider settings: one definition, applied
// by `npm start` (scripts/start.js) and by docker-compose's one-shot `seed`
// service (`node scripts/demo/seed.mjs`, with TOKENMETER_CONTROL_PLANE_URL and
// TOKENMETER_ADMIN_TOKEN). Every write is a PUT, so seeding twice changes nothing.
import { pathToFileURL } from 'node:url';

/** The organisation every demo user belongs to. */
export const DEMO_ORG = 'acme';

/** user → department. */
export const DIRECTORY = {
  alice: 'support',
  bob: 'support',
  carol: 'research',
  dave: 'research',
  erin: 'engineering',
  frank: 'engineering',
};

export const QUOTAS = [
  // frank calls a lot: his hard hourly quota blocks him within a minute or two (80/90/100 % alerts on the way).
  { id: 'user-hourly-cost', name: 'Per-user hourly spend', scope: 'user', subject: '*', overrides: { frank: 0.01 }, metric: 'cost', period: 'hour', limit: 0.05, enforcement: 'hard' },
  { id: 'research-monthly', name: 'Research monthly budget', scope: 'department', subject: 'research', metric: 'cost', period: 'month', limit: 25, enforcement: 'soft' },
  { id: 'org-daily-tokens', name: 'Org daily tokens', scope: 'org', subject: DEMO_ORG, metric: 'tokens', period: 'day', limit: 5_000_000, enforcement: 'soft' },
];

/** Provider settings of the demo org: OpenAI first, Anthropic second. */
export const PROVIDERS = [
  { provider: 'openai', enabled: true, priority: 1, limits: { hourly_requests: 100_000 } },
  { provider: 'anthropic', enabled: true, priority: 2, limits: { hourly_requests: 100_000 } },
];

/** `api(method, path, body)` against `/api/v1` of `baseUrl` with the admin token; throws on a non-2xx answer. */
export function adminClient(baseUrl, adminToken) {
  return async function api(method, path, body) {
    const response = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.status === 204 ? undefined : response.json();
  };
}

/** Writes the directory, quotas and providers through `api` (see adminClient). */
export async function seed(api) {
  for (const [user, department] of Object.entries(DIRECTORY)) {
    await api('PUT', `/directory/users/${user}`, { department, org: DEMO_ORG });
  }
  for (const { id, ...quota } of QUOTAS) await api('PUT', `/quotas/${id}`, quota);
  for (const { provider, ...settings } of PROVIDERS) await api('PUT', `/providers/${DEMO_ORG}/${provider}`, settings);
}

/** Waits until the control plane answers /readyz (a container may start before it does). */
async function waitReady(baseUrl, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(`${baseUrl}/readyz`);
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${baseUrl}/readyz did not answer 200 within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function main() {
  const url = process.env.TOKENMETER_CONTROL_PLANE_URL?.replace(/\/+$/, '');
  const token = process.env.TOKENMETER_ADMIN_TOKEN;
  const missing = [url ? undefined : 'TOKENMETER_CONTROL_PLANE_URL', token ? undefined : 'TOKENMETER_ADMIN_TOKEN'].filter(Boolean);
  if (missing.length > 0) {
    console.error(`tokenmeter seed: set ${missing.join(' and ')}`);
    process.exit(2);
  }
  await waitReady(url, 60_000);
  await seed(adminClient(url, token));
  console.log(`tokenmeter seed: ${Object.keys(DIRECTORY).length} users, ${QUOTAS.length} quotas, ${PROVIDERS.length} providers written to ${url}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(`tokenmeter seed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
