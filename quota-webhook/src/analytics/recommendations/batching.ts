/**
 * Batching. Traffic that no one waits for can go through the provider's
 * Batch API at the catalog's batch rates (50 % off every token type today,
 * results within 24 h). Eligible: a feature an admin marked batchable (all of
 * its traffic), or traffic with no user that is not streamed and runs on a
 * schedule — at least `SCHEDULE_SHARE` of its calls in its `SCHEDULE_HOURS`
 * busiest local hours of the day (a nightly job, a cron), as opposed to
 * requests spread over the working day. Calls already billed at the batch
 * tier are not counted.
 */
import { costAt, type TokenSums } from './rates.js';
import { finish, rateLookup, ratesEvidence, subjectKeyString } from './common.js';
import type { DetectorContext, HourStats, Level, Recommendation, SubjectKey } from './types.js';

/** Busiest hours of the day a scheduled job's calls fall into. */
export const SCHEDULE_HOURS = 4;
/** Share of a job's calls in those hours. */
export const SCHEDULE_SHARE = 0.8;
/** Fewest non-interactive calls over the window before a schedule is inferred. */
export const MIN_SCHEDULED_REQUESTS = 20;
/** Local hours that make a schedule "nightly" (20:00–06:59). */
const NIGHT = new Set([20, 21, 22, 23, 0, 1, 2, 3, 4, 5, 6]);

interface Acc {
  key: SubjectKey;
  byHour: number[];
  nonInteractive: TokenSums & { requests: number };
  all: TokenSums & { requests: number };
}

function zeroSums(): TokenSums & { requests: number } {
  return { input: 0, output: 0, cache_read: 0, cache_write: 0, reasoning: 0, requests: 0 };
}

function addSums(a: TokenSums & { requests: number }, h: HourStats): void {
  a.input += h.input;
  a.output += h.output;
  a.cache_read += h.cache_read;
  a.cache_write += h.cache_write;
  a.reasoning += h.reasoning;
  a.requests += h.requests;
}

/** Share of calls in the busiest `SCHEDULE_HOURS` hours, and those hours (local). */
export function scheduleOf(byLocalHour: readonly number[]): { share: number; hours: number[] } {
  const total = byLocalHour.reduce((a, b) => a + b, 0);
  const top = byLocalHour.map((n, h) => ({ n, h })).filter((x) => x.n > 0).sort((a, b) => b.n - a.n || a.h - b.h).slice(0, SCHEDULE_HOURS);
  const inTop = top.reduce((a, x) => a + x.n, 0);
  return { share: total === 0 ? 0 : inTop / total, hours: top.map((x) => x.h).sort((a, b) => a - b) };
}

export function detectBatching(ctx: DetectorContext, rows: readonly HourStats[]): Recommendation[] {
  const rates = rateLookup(ctx);
  const acc = new Map<string, Acc>();
  for (const h of rows) {
    const key: SubjectKey = { org: h.org, feature: h.feature, service: h.service, provider: h.provider, model: h.model };
    const k = subjectKeyString(key);
    let a = acc.get(k);
    if (!a) acc.set(k, (a = { key, byHour: Array.from({ length: 24 }, () => 0), nonInteractive: zeroSums(), all: zeroSums() }));
    addSums(a.all, h);
    if (!h.interactive) {
      addSums(a.nonInteractive, h);
      a.byHour[ctx.localHour(h.hourUtc)]! += h.requests;
    }
  }
  const out: Recommendation[] = [];
  for (const a of acc.values()) {
    const r = rates(a.key);
    if (!r?.batch) continue;
    const marked = a.key.feature !== null && ctx.batchable.has(a.key.feature);
    const schedule = scheduleOf(a.byHour);
    const scheduled = a.nonInteractive.requests >= MIN_SCHEDULED_REQUESTS && schedule.share >= SCHEDULE_SHARE;
    if (!marked && !scheduled) continue;
    const eligible = marked ? a.all : a.nonInteractive;
    const savings = costAt(r.base, eligible) - costAt(r.batch, eligible);
    if (savings <= 0n) continue;
    const nightly = scheduled && schedule.hours.every((h) => NIGHT.has(h));
    const kind = marked ? 'marked_batchable' : nightly ? 'nightly_job' : 'scheduled_job';
    const confidence: Level = marked || schedule.share >= 0.95 ? 'high' : 'medium';
    out.push(finish(ctx, a.key, {
      type: 'batching',
      kind,
      title: marked
        ? `Feature marked batchable runs at full price on ${a.key.model}`
        : `${nightly ? 'Nightly' : 'Scheduled'} non-interactive traffic on ${a.key.model} could use the Batch API`,
      action: 'Submit these calls through the provider\'s Batch API (a file of requests, results within 24 hours) instead of one synchronous call each.',
      evidence: {
        requests: eligible.requests,
        total_requests: a.all.requests,
        tokens: { input: eligible.input, output: eligible.output, cache_read: eligible.cache_read, cache_write: eligible.cache_write, reasoning: eligible.reasoning },
        marked_batchable: marked,
        non_interactive_requests: a.nonInteractive.requests,
        busiest_local_hours: schedule.hours,
        share_in_busiest_hours: Math.round(schedule.share * 10000) / 10000,
        price_id: r.priceId,
        rates: ratesEvidence(r.base, ['input', 'output']),
        batch_rates: ratesEvidence(r.batch, ['input', 'output']),
      },
      windowSavingsPico: savings,
      difficulty: 'medium',
      difficultyReason: 'the job must submit a batch file and collect results asynchronously (up to 24 h) instead of waiting for each call',
      confidence,
      confidenceReason: marked
        ? 'an admin marked the feature batchable'
        : `${Math.round(schedule.share * 100)} % of ${a.nonInteractive.requests} calls with no user and no streaming fall in ${schedule.hours.length} hours of the day`,
    }));
  }
  return out;
}
