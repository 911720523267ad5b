/**
 * A ledger with enough history for every analytics page: nine weeks of daily
 * traffic from three departments (one stream unattributed, so chargeback has
 * shared spend to distribute), a research spike in the last hours (an
 * anomaly), repeated long prompts on an expensive model (recommendations), a
 * quota and a budget (forecast risks, overview utilisation). Everything is
 * relative to `NOW`, the control plane's and the browser's fixed clock, so
 * the month, "today" and every answer are the same on every run.
 */

/** Friday 2026-11-20 15:30 UTC: mid-month, so month-to-date and the forecast both have days. */
export const NOW = Date.UTC(2026, 10, 20, 15, 30);
const DAY = 86_400_000;
const HOUR = 3_600_000;

interface Stream {
  department?: string;
  user: string;
  feature?: string;
  investigation?: string;
  provider: string;
  model: string;
  input: number;
  output: number;
  cacheRead?: number;
  /** Base calls per hour at 09:00, 11:00, 14:00 UTC. */
  calls: number;
  prefix?: string;
}

const STREAMS: Stream[] = [
  {
    department: 'research',
    user: 'ada',
    feature: 'search',
    investigation: 'inv-7',
    provider: 'openai',
    model: 'gpt-4o',
    input: 40_000,
    output: 300,
    calls: 2,
    prefix: 'research-system',
  },
  {
    department: 'support',
    user: 'bob',
    feature: 'chatbot',
    provider: 'openai',
    model: 'gpt-4o-mini',
    input: 6_000,
    output: 800,
    calls: 3,
  },
  {
    department: 'marketing',
    user: 'cyd',
    feature: 'copy',
    provider: 'anthropic',
    model: 'claude-sonnet-4-5',
    input: 3_000,
    output: 1_500,
    calls: 1,
  },
  // No department: shared spend the chargeback distributes.
  {
    user: 'batch-bot',
    feature: 'nightly',
    provider: 'openai',
    model: 'gpt-4o-mini',
    input: 20_000,
    output: 2_000,
    calls: 1,
  },
];

/** A stable 16-hex-digit stand-in for the keyed hash the SDK sends. */
function hex(text: string): string {
  let h = 0xcbf29ce4n;
  for (const ch of text) {
    h = ((h ^ BigInt(ch.charCodeAt(0))) * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}

function record(s: Stream, id: string, at: number): Record<string, unknown> {
  return {
    id,
    time: new Date(at).toISOString(),
    ...(s.department ? { department: s.department } : {}),
    user: s.user,
    ...(s.feature ? { feature: s.feature } : {}),
    ...(s.investigation ? { investigation: s.investigation } : {}),
    provider: s.provider,
    operation: 'chat',
    request_model: s.model,
    tokens: { input: s.input, output: s.output, cache_read: s.cacheRead ?? 0, cache_write: 0, reasoning: 0 },
    cost_usd: null,
    outcome: 'ok',
    latency_ms: 800,
    source: 'sdk',
    stream: false,
    ...(s.prefix
      ? {
          fingerprint: {
            prefix_hash: hex(s.prefix),
            request_hash: hex(id),
            prefix_tokens: Math.round(s.input * 0.9),
            max_output_tokens: 4096,
            finish_reason: 'stop',
          },
        }
      : {}),
  };
}

/** Every record of the seeded ledger (time-ordered, unique ids). */
export function seedRecords(): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const today = Math.floor(NOW / DAY) * DAY;
  for (let d = 63; d >= 0; d--) {
    for (const hour of [9, 11, 14]) {
      const at = today - d * DAY + hour * HOUR;
      if (at >= NOW) {
        continue;
      }
      STREAMS.forEach((s, si) => {
        // Day-to-day variation (1 to 3 times the base), so forecasts have intervals to draw.
        const calls = s.calls * (1 + ((d * 7 + si * 3 + hour) % 3));
        for (let c = 0; c < calls; c++) {
          out.push(record(s, `seed-${d}-${hour}-${si}-${c}`, at + c * 60_000));
        }
      });
    }
  }
  // The spike: research at 12:00 today (hours after the last regular hour), twenty times its usual hour.
  for (let c = 0; c < 40; c++) {
    out.push(record(STREAMS[0]!, `spike-${c}`, today + 12 * HOUR + c * 30_000));
  }
  return out;
}

/** Posts the records in batches through `POST /api/v1/usage`; returns how many the ledger accepted. */
export async function seedLedger(cpUrl: string, ingestToken: string): Promise<number> {
  const records = seedRecords();
  let accepted = 0;
  for (let i = 0; i < records.length; i += 500) {
    const res = await fetch(`${cpUrl}/api/v1/usage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ingestToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ records: records.slice(i, i + 500) }),
    });
    const body = (await res.json()) as { accepted: number; rejected?: unknown[] };
    if (res.status !== 200 || (body.rejected?.length ?? 0) > 0) {
      throw new Error(`seeding refused (${res.status}): ${JSON.stringify(body).slice(0, 500)}`);
    }
    accepted += body.accepted;
  }
  return accepted;
}
