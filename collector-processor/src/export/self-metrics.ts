/** The collector's own counters, rendered after the GenAI families on `/metrics`. */
export class SelfMetrics {
  readonly received = { spans: 0, dataPoints: 0, logRecords: 0 };
  /** Requests by signal and HTTP status. */
  readonly requests = new Map<string, number>();
  calls = 0;
  unpricedCalls = 0;
  ownSpansSkipped = 0;
  sameCallSkipped = 0;
  pointsIgnored = 0;
  rejectedPoints = 0;
  droppedAttributes = 0;
  inflight = 0;
  readonly startMs = Date.now();

  countRequest(signal: string, status: number): void {
    const key = `${signal}\u0000${status}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  }
}
