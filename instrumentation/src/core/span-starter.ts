/**
 * Who starts the call pipeline's GenAI spans: the OpenTelemetry API tracer
 * (whatever tracer provider the application registered), unless the SDK,
 * owning the provider, installs a starter of its own (`telemetry/lean-span.ts`).
 */
import type { Attributes, Context, Span } from '@opentelemetry/api';

export interface SpanStarter {
  /** A CLIENT span named `name` with `attributes` (owned by the span from here on), started at `startTimeMs` / `startPerf`, under `context`. */
  startSpan(name: string, attributes: Attributes, startTimeMs: number, startPerf: number, context: Context): Span;
}

let installed: SpanStarter | undefined;

/** Installs `starter` for the calls started from now on; returns its removal. */
export function setSpanStarter(starter: SpanStarter): () => void {
  installed = starter;
  return () => {
    if (installed === starter) installed = undefined;
  };
}

/** The starter in force, if the SDK installed one. */
export function spanStarter(): SpanStarter | undefined {
  return installed;
}
