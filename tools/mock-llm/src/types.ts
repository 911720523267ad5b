/** Tokens in tokenmeter's disjoint convention (input excludes cache, output excludes reasoning). */
export interface DisjointUsage {
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
  reasoning: number;
}

export type Provider = 'openai' | 'anthropic';

/** A request as the handlers see it, whether it came over HTTP or through the in-process fetch. */
export interface MockRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  /** Aborted when the client goes away (timeouts, abandoned streams). */
  signal: AbortSignal;
}

/** A whole response, or a stream of SSE frames. */
export type MockResponse =
  | { status: number; headers: Record<string, string>; body: string }
  | { status: number; headers: Record<string, string>; stream: AsyncIterable<string> };

/** One served request, kept for tests. */
export interface ServedRequest {
  seq: number;
  time: string;
  provider: Provider;
  path: string;
  model: string | undefined;
  stream: boolean;
  status: number;
  fault?: string;
  /** Usage exactly as the mock reported it on the wire (absent when it reported none). */
  wireUsage?: Record<string, unknown>;
  /** The same usage in tokenmeter's disjoint convention, as a correct instrumentation derives it. */
  usage?: DisjointUsage;
}

/** A fault rule for clients that cannot set the `x-mock-fault` header. */
export interface FaultRule {
  match?: { provider?: Provider; path?: string; model?: string };
  /** `429`, `500`, `503`, `timeout`, `slow:<ms>`, `drop-stream:<n>`. */
  fault: string;
  /** How many matching requests it applies to (default: all until cleared). */
  times?: number;
}
