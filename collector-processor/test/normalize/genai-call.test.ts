import { describe, expect, it } from 'vitest';
import { spanToCall } from '../../src/index.js';
import type { Attrs } from '../../src/normalize/model.js';

function call(attrs: Attrs, scopeName = 'any', resource: Attrs = {}, statusCode = 0) {
  return spanToCall({ spanId: 'abcd', startMs: 1_767_225_600_000, endMs: 1_767_225_601_500, attrs, statusCode }, { scopeName, resource });
}

describe('spanToCall: normalising the GenAI conventions in the wild', () => {
  it('semconv (Anthropic SDK native tracing): input includes cache reads/writes, output includes reasoning → disjoint', () => {
    const c = call(
      {
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'claude-sonnet-4-5',
        'gen_ai.response.model': 'claude-sonnet-4-5-20250929',
        'gen_ai.usage.input_tokens': 1300,
        'gen_ai.usage.cache_read.input_tokens': 200,
        'gen_ai.usage.cache_write.input_tokens': 100,
        'gen_ai.usage.output_tokens': 500,
        'gen_ai.usage.reasoning.output_tokens': 120,
        'anthropic.usage.cache_creation.ephemeral_1h_input_tokens': 40,
      },
      'com.anthropic.sdk.typescript',
    );
    expect(c?.tokens).toEqual({ input: 1000, output: 380, cache_read: 200, cache_write: 100, reasoning: 120 });
    expect(c?.cacheWrite1hTokens).toBe(40);
    expect(c).toMatchObject({ provider: 'anthropic', operation: 'chat', requestModel: 'claude-sonnet-4-5', responseModel: 'claude-sonnet-4-5-20250929', durationMs: 1500, outcome: 'ok' });
  });

  it('OpenLLMetry Anthropic: input is Anthropic raw input_tokens (excludes cache), cache under cache_creation', () => {
    const c = call(
      { 'gen_ai.provider.name': 'anthropic', 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'claude-haiku-4-5', 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.cache_creation.input_tokens': 300, 'gen_ai.usage.cache_read.input_tokens': 50, 'gen_ai.usage.output_tokens': 10 },
      '@traceloop/instrumentation-anthropic',
    );
    expect(c?.tokens).toEqual({ input: 1000, output: 10, cache_read: 50, cache_write: 300, reasoning: 0 });
  });

  it('older OpenLLMetry / OpenLIT forms: gen_ai.system, prompt/completion tokens, underscore cache names', () => {
    const c = call({ 'gen_ai.system': 'Anthropic', 'llm.request.type': 'chat', 'gen_ai.request.model': 'claude-3-5-haiku', 'gen_ai.usage.prompt_tokens': 80, 'gen_ai.usage.completion_tokens': 20, 'gen_ai.usage.cache_read_input_tokens': 30 });
    expect(c?.provider).toBe('anthropic');
    expect(c?.tokens).toEqual({ input: 80, output: 20, cache_read: 30, cache_write: 0, reasoning: 0 });
    const legacy = call({ 'llm.vendor': 'OpenAI', 'llm.request.model': 'gpt-4o', 'llm.usage.prompt_tokens': '12', 'llm.usage.completion_tokens': 3, 'gen_ai.usage.reasoning_tokens': 1 });
    expect(legacy).toMatchObject({ provider: 'openai', operation: 'chat', requestModel: 'gpt-4o' });
    expect(legacy?.tokens).toEqual({ input: 12, output: 2, cache_read: 0, cache_write: 0, reasoning: 1 });
  });

  it('OpenAI-style prompt tokens include cached ones: subtracted when a cache attribute is present', () => {
    const c = call({ 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.cache_read_input_tokens': 600, 'gen_ai.usage.output_tokens': 7 }, '@traceloop/instrumentation-openai');
    expect(c?.tokens.input).toBe(400);
    expect(c?.tokens.cache_read).toBe(600);
  });

  it('attribution from span, then resource; errors; non-call spans ignored', () => {
    const c = call({ 'gen_ai.provider.name': 'openai', 'gen_ai.operation.name': 'chat', 'error.type': 'RateLimitError', 'user.id': 'u-1', 'traceloop.association.properties.session_id': 's-1' }, 'x', {
      'tokenmeter.org': 'acme',
      'tokenmeter.feature': 'search',
      'user.id': 'resource-user',
    });
    expect(c?.attribution).toEqual({ org: 'acme', feature: 'search', user: 'u-1', session: 's-1' });
    expect(c).toMatchObject({ outcome: 'error', errorType: 'RateLimitError' });
    expect(call({ 'gen_ai.provider.name': 'openai', 'gen_ai.operation.name': 'chat' }, 'x', {}, 2)?.errorType).toBe('_OTHER');
    expect(call({ 'gen_ai.provider.name': 'anthropic', 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.usage.input_tokens': 5 })).toBeUndefined();
    expect(call({ 'gen_ai.provider.name': 'anthropic', 'gen_ai.request.model': 'claude' })).toBeUndefined();
    expect(call({ 'http.method': 'GET' })).toBeUndefined();
  });

  it('the prompt fingerprint of our SDK’s spans, for the ledger; a malformed one is left out, the call kept', () => {
    const usage = { 'gen_ai.provider.name': 'openai', 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 900, 'gen_ai.usage.output_tokens': 40 };
    const prompt = { 'tokenmeter.prompt.prefix_hash': '0123456789abcdef0123456789abcdef', 'tokenmeter.prompt.request_hash': 'fedcba9876543210fedcba9876543210', 'tokenmeter.prompt.prefix_tokens': 600 };
    // Arrays arrive as their JSON text (model.ts).
    const full = call({ ...usage, ...prompt, 'gen_ai.request.max_tokens': 256, 'gen_ai.response.finish_reasons': '["length","stop"]' }, '@tokenmeter/instrumentation');
    expect(full?.fingerprint).toEqual({ prefix_hash: prompt['tokenmeter.prompt.prefix_hash'], request_hash: prompt['tokenmeter.prompt.request_hash'], prefix_tokens: 600, max_output_tokens: 256, finish_reason: 'length' });
    expect(call({ ...usage, ...prompt, 'gen_ai.request.max_tokens': 0, 'gen_ai.response.finish_reasons': '[' })?.fingerprint).toEqual({ prefix_hash: prompt['tokenmeter.prompt.prefix_hash'], request_hash: prompt['tokenmeter.prompt.request_hash'], prefix_tokens: 600 });
    for (const bad of [
      { 'tokenmeter.prompt.prefix_hash': '0123456789ABCDEF0123456789ABCDEF' },
      { 'tokenmeter.prompt.request_hash': 'abc' },
      { 'tokenmeter.prompt.request_hash': 42 },
      { 'tokenmeter.prompt.prefix_tokens': -1 },
      { 'tokenmeter.prompt.prefix_tokens': 1.5 },
      { 'tokenmeter.prompt.prefix_tokens': '600' },
    ]) {
      const c = call({ ...usage, ...prompt, ...bad });
      expect(c?.fingerprint).toBeUndefined();
      expect(c?.tokens.input).toBe(900);
    }
    expect(call(usage)?.fingerprint).toBeUndefined();
  });
});
