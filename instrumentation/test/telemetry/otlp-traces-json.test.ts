/** `OTEL_EXPORTER_OTLP_PROTOCOL=http/json`: the SDK's GenAI spans go out as OTLP/HTTP JSON. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSpanReceiver, type SpanReceiver } from './span-receiver.js';

let receiver: SpanReceiver;
beforeAll(async () => {
  receiver = await startSpanReceiver();
});
afterAll(async () => {
  await receiver?.stop();
});

interface OtlpSpans {
  resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string; attributes: Array<{ key: string; value: { intValue?: string | number } }> }> }> }>;
}

describe('OTLP/HTTP span export, http/json', () => {
  it('sends JSON', async () => {
    const request = await receiver.exportOneCall({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
    expect(request.contentType).toBe('application/json');
    const span = (JSON.parse(request.body.toString('utf8')) as OtlpSpans).resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(span.name).toBe('chat gpt-4.1-mini');
    expect(Number(span.attributes.find((a) => a.key === 'gen_ai.usage.input_tokens')?.value.intValue)).toBe(12);
  });
});
