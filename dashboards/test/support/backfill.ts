/**
 * History for the ledger anomaly detector, sent through `POST /api/v1/usage`
 * as a sender backfilling past calls would: one aggregate record per UTC hour
 * for 8 weeks (a nightly-eval job of department `platform`, org `globex`,
 * `o1-pro`; more in working hours, less at weekends, the same every week),
 * then a runaway hour — 100 000 output tokens instead of a few thousand — in
 * the last complete UTC hour and again at the start of the current one.
 *
 * Why this shape: the control plane's monitor (quota-webhook
 * src/analytics/monitor.ts) scores the last complete UTC hour against the
 * same hour of the week over the 8 weeks before (median, robust scale with a
 * 10 % floor), reports a run that reaches |z| ≥ 5 at once, and needs at least
 * 1 USD of impact. A history that repeats every week has no spread, so the
 * scale is the floor and the monitor's score equals the API's whatever
 * window each scores. The runaway continues into the current hour so that
 * the anomaly is still under way if the UTC hour ends during the test (the
 * monitor then scores that hour, and the run spans both).
 *
 * Org globex has no budget or provider limits, user frank stays far below the
 * daily token quota: the backfill raises no alert but the anomaly's.
 */
import { formatUsd } from '@tokenmeter/instrumentation/pricing';

const HOUR_MS = 3_600_000;
const WEEKS = 8;
/** o1-pro list prices, pico-USD per token (the ledger re-prices with its own table anyway). */
const PICO_PER_TOKEN = { input: 150_000_000n, output: 600_000_000n };
export const RUNAWAY_OUTPUT_TOKENS = 100_000;

/** The attribution and model of the backfilled calls: the subjects the anomaly must name. */
export const BACKFILL = Object.freeze({
  org: 'globex', department: 'platform', user: 'frank', feature: 'nightly-eval', provider: 'openai', model: 'o1-pro',
});

/** The scope/subject pairs the monitor watches that the runaway hour raises (scope `all` is everything). */
export const BACKFILL_SUBJECTS: ReadonlyArray<{ scope: 'all' | 'department' | 'feature' | 'provider' | 'model'; subject: string }> = [
  { scope: 'all', subject: '*' }, { scope: 'department', subject: BACKFILL.department }, { scope: 'feature', subject: BACKFILL.feature },
  { scope: 'provider', subject: BACKFILL.provider }, { scope: 'model', subject: BACKFILL.model },
];

/** Output tokens of an ordinary hour: 3000 on weekday working hours (UTC), else 1000. */
function usualOutput(hourStartMs: number): number {
  const d = new Date(hourStartMs);
  const weekday = d.getUTCDay() >= 1 && d.getUTCDay() <= 5;
  return weekday && d.getUTCHours() >= 8 && d.getUTCHours() < 18 ? 3000 : 1000;
}

function record(id: string, timeMs: number, output: number): Record<string, unknown> {
  const tokens = { input: 500, output, cache_read: 0, cache_write: 0, reasoning: 0 };
  const pico = BigInt(tokens.input) * PICO_PER_TOKEN.input + BigInt(tokens.output) * PICO_PER_TOKEN.output;
  return {
    id, time: new Date(timeMs).toISOString(), org: BACKFILL.org, department: BACKFILL.department, user: BACKFILL.user, feature: BACKFILL.feature,
    provider: BACKFILL.provider, operation: 'chat', request_model: BACKFILL.model, response_model: BACKFILL.model,
    tokens, cost_usd: formatUsd(pico), outcome: 'ok', latency_ms: 60_000, source: 'backfill',
  };
}

/**
 * The records for a run at `nowMs`: hours [H − 1 − 8 weeks, H − 1) usual, hour H − 1 and the start of
 * hour H runaway (H = the current UTC hour). 8 × 168 + 2 records.
 */
export function backfillRecords(nowMs: number): Array<Record<string, unknown>> {
  const current = Math.floor(nowMs / HOUR_MS) * HOUR_MS;
  const last = current - HOUR_MS;
  const out: Array<Record<string, unknown>> = [];
  for (let t = last - WEEKS * 168 * HOUR_MS; t < last; t += HOUR_MS) out.push(record(`backfill-${t}`, t + 30 * 60_000, usualOutput(t)));
  out.push(record(`runaway-${last}`, last + 30 * 60_000, RUNAWAY_OUTPUT_TOKENS));
  out.push(record(`runaway-${current}`, current, RUNAWAY_OUTPUT_TOKENS));
  return out;
}

/** Sends the backfill through the ingest API; every record must be accepted. */
export async function backfill(ingest: (body: unknown) => Promise<{ accepted: number; rejected: unknown[] }>, nowMs: number): Promise<number> {
  const records = backfillRecords(nowMs);
  const answer = await ingest({ records });
  if (answer.accepted !== records.length || answer.rejected.length > 0) throw new Error(`the backfill was not accepted whole: ${JSON.stringify(answer).slice(0, 2000)}`);
  return records.length;
}
