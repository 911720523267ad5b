/**
 * Recognises two spans that describe the same LLM call, so it counts once:
 * 1. a GenAI call span whose direct parent or direct child is a GenAI call
 *    span already seen (a framework's chat-model span around a client
 *    instrumentation's span);
 * 2. two spans from different instrumentation scopes of the same service
 *    with the same provider, model and (normalised) usage whose time
 *    intervals overlap: an instrumentation's span beside the SDK's own native
 *    span in another trace (OpenLLMetry's Anthropic instrumentation does not
 *    make its span current, so the Anthropic SDK's span is not its child).
 *    One instrumentation never emits two spans for one call, so equal usage
 *    from the same scope is two calls and both count.
 * The first of a pair to arrive counts; the other is skipped. Memory is
 * bounded: the oldest entries are forgotten beyond `maxEntries`. Works per
 * replica: a service's spans must reach the same replica (trace- or
 * service-aware load balancing) for the rules to hold across replicas.
 */
import type { GenAiCall } from './genai-call.js';
import { joinFlat } from '../util/flat-string.js';
import { makeRoom } from '../util/make-room.js';

interface Seen {
  scope: string;
  startMs: number;
  endMs: number;
}

export class SameCallFilter {
  private readonly _byUsage = new Map<string, Seen[]>();
  private readonly _counted = new Set<string>();
  private readonly _parentsOfCounted = new Set<string>();
  private readonly _max: number;
  skipped = 0;

  constructor(maxEntries = 200_000) {
    this._max = maxEntries;
  }

  /** True when the span is a new call; false when its parent or a child was already counted as this call. */
  admit(traceId: string, spanId: string, parentSpanId: string): boolean {
    if (traceId === '' || spanId === '') return true;
    const self = joinFlat([traceId, '/', spanId]);
    const parent = parentSpanId === '' ? undefined : joinFlat([traceId, '/', parentSpanId]);
    const duplicate = (parent !== undefined && this._counted.has(parent)) || this._parentsOfCounted.has(self);
    // A skipped span is remembered too, so a chain of three wrappers still counts once.
    this._remember(this._counted, self);
    if (parent !== undefined) this._remember(this._parentsOfCounted, parent);
    if (duplicate) this.skipped++;
    return !duplicate;
  }

  /** Rule 2: false when another scope already reported this call (same service, provider, model, usage, overlapping in time). */
  admitCall(call: GenAiCall, job: string | undefined, scope: string): boolean {
    const t = call.tokens;
    if (t.input + t.output + t.cache_read + t.cache_write + t.reasoning === 0) return true;
    const key = joinFlat([job ?? '', '|', call.provider, '|', call.responseModel ?? call.requestModel ?? '', '|', String(t.input), '|', String(t.output), '|', String(t.cache_read), '|', String(t.cache_write), '|', String(t.reasoning)]);
    const start = call.startMs;
    const end = call.startMs + call.durationMs;
    const list = this._byUsage.get(key);
    if (list) {
      for (let i = 0; i < list.length; i++) {
        const seen = list[i] as Seen;
        if (seen.scope === scope) continue;
        if (seen.startMs <= end && start <= seen.endMs) {
          list.splice(i, 1); // a pair is matched once
          this.skipped++;
          return false;
        }
      }
    } else {
      makeRoom(this._byUsage, this._max);
      this._byUsage.set(key, [{ scope, startMs: start, endMs: end }]); // sized for the usual single entry
      return true;
    }
    // One entry per scope (the latest): the list stays a handful long however often a usage repeats.
    const same = list.findIndex((seen) => seen.scope === scope);
    if (same >= 0) list.splice(same, 1);
    else if (list.length >= 8) list.shift();
    list.push({ scope, startMs: start, endMs: end });
    return true;
  }

  /** Entries remembered across the three rules' memories (each capped at `maxEntries`). */
  size(): number {
    return this._byUsage.size + this._counted.size + this._parentsOfCounted.size;
  }

  private _remember(set: Set<string>, key: string): void {
    if (set.has(key)) return;
    makeRoom(set, this._max);
    set.add(key);
  }
}
