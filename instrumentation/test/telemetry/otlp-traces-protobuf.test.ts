/** The SDK's own tracer provider sends its GenAI spans as OTLP/HTTP protobuf by default, as the OTLP specification says. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSpanReceiver, type SpanReceiver } from './span-receiver.js';

let receiver: SpanReceiver;
beforeAll(async () => {
  receiver = await startSpanReceiver();
});
afterAll(async () => {
  await receiver?.stop();
});

describe('OTLP/HTTP span export, default protocol', () => {
  it('sends protobuf', async () => {
    const request = await receiver.exportOneCall({});
    expect(request.contentType).toBe('application/x-protobuf');
    // Protobuf stores strings as they are: the span name, an attribute key and the service name are in the bytes.
    for (const text of ['chat gpt-4.1-mini', 'gen_ai.usage.input_tokens', 'traces-test']) expect(request.body.includes(Buffer.from(text))).toBe(true);
    expect(() => JSON.parse(request.body.toString('utf8'))).toThrow();
  });
});
