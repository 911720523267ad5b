/** The collector's own counters, rendered after the GenAI families on `/metrics`. */
export class SelfMetrics {
  readonly received = { spans: 0, dataPoints: 0, logRecords: 0 };
  /** Requests by signal and HTTP status. */
  readonly requests = new Map<string, number>();
  /** Calls refused as implausible, by reason (`tokens`, `time`, `latency`). */
  readonly implausible = new Map<string, number>();
  calls = 0;
  unpricedCalls = 0;
  ownSpansSkipped = 0;
  sameCallSkipped = 0;
  pointsIgnored = 0;
  rejectedPoints = 0;
  droppedAttributes = 0;
  /** Cumulative points of new sources folded into an overflow series once the folded-source memory was full. */
  foldedPointsDropped = 0;
  /** Requests being read or processed, and their bytes (decompressed as read). */
  inflight = 0;
  inflightBytes = 0;
  readonly startMs = Date.now();

  countRequest(signal: string, status: number): void {
    const key = `${signal}\u0000${status}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  }

  /** Counts a refusal by the field `implausibility()` named first (`tokens.input: …` → `tokens`). */
  countImplausible(reason: string): void {
    const field = reason.slice(0, Math.max(0, reason.indexOf(':')));
    const key = field.startsWith('tokens') ? 'tokens' : field === 'time' ? 'time' : field === 'latency_ms' ? 'latency' : 'other';
    this.implausible.set(key, (this.implausible.get(key) ?? 0) + 1);
  }
}
