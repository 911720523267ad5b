/**
 * The router's decisions with custom adapters (a public extension point):
 * order, fallback reasons, cool-down and probe, streaming commit, input
 * validation. The same behaviours run against the mock provider over the
 * real SDKs and the real control plane in router.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { QuotaExceededError } from '../../src/control/errors.js';
import { createRouter, AllProvidersFailedError } from '../../src/router/index.js';
import type { AdapterRequest, AdapterStreamEvent, ProviderAdapter } from '../../src/router/index.js';
import { waitFor } from '@tokenmeter/testkit';
import { ManualClock } from '../fixtures/manual-clock.js';

type Behaviour = 'ok' | { status: number } | 'hang' | 'refuse-model' | 'bad-request' | Error;

class ScriptedAdapter implements ProviderAdapter {
  calls = 0;
  constructor(
    private readonly _name: string,
    public behaviour: Behaviour = 'ok',
  ) {}

  async complete(request: AdapterRequest) {
    this.calls++;
    await this._fail(request);
    return {
      model: request.model,
      text: `answer from ${this._name}`,
      usage: { input: 10, output: 5, cache_read: 0, cache_write: 0, reasoning: 0 },
      finishReason: this.behaviour === 'refuse-model' ? ('refusal' as const) : ('stop' as const),
    };
  }

  async stream(request: AdapterRequest): Promise<AsyncIterable<AdapterStreamEvent>> {
    this.calls++;
    await this._fail(request);
    const name = this._name;
    return (async function* () {
      yield { type: 'delta' as const, text: `${name}:` };
      yield { type: 'delta' as const, text: 'streamed' };
      yield { type: 'end' as const, model: request.model, usage: { input: 1, output: 2, cache_read: 0, cache_write: 0, reasoning: 0 }, finishReason: 'stop' as const };
    })();
  }

  private async _fail(request: AdapterRequest): Promise<void> {
    const behaviour = this.behaviour;
    if (behaviour === 'hang') {
      await new Promise((_, reject) => request.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
    } else if (behaviour === 'bad-request') {
      throw Object.assign(new Error('400 bad request'), { status: 400 });
    } else if (behaviour instanceof Error) {
      throw behaviour;
    } else if (typeof behaviour === 'object') {
      throw Object.assign(new Error(`${behaviour.status} from ${this._name}`), { status: behaviour.status });
    }
  }
}

const messages = [{ role: 'user' as const, content: 'hello' }];

/** Lets a hanging attempt's timeout fall due on the router's clock (routerOver's 200 ms). */
async function timeOut(clock: ManualClock, hanging: ScriptedAdapter): Promise<void> {
  await waitFor(() => hanging.calls > 0 && clock.pendingTimers > 0, { intervalMillis: 1, what: 'the attempt to start' });
  clock.advance(200);
}

function routerOver(a: ScriptedAdapter, b: ScriptedAdapter, extra: Partial<Parameters<typeof createRouter>[0]> = {}) {
  return createRouter({
    providers: [
      { name: 'openai', adapter: a, model: 'gpt-a' },
      { name: 'anthropic', adapter: b, model: 'claude-b' },
    ],
    link: null,
    timeoutMillis: 200,
    ...extra,
  });
}

describe('router decisions', () => {
  it('falls back from 429, 5xx, timeouts and our refusals, returning the first healthy answer', async () => {
    for (const behaviour of [{ status: 429 }, { status: 503 }, 'hang', new QuotaExceededError({ id: 'b', scope: 'provider', subject: 'openai', reason: 'manual', since: 'x' })] as Behaviour[]) {
      const first = new ScriptedAdapter('openai', behaviour);
      const second = new ScriptedAdapter('anthropic');
      const clock = new ManualClock();
      const answer = routerOver(first, second, { clock }).chat({ messages, maxTokens: 16 });
      if (behaviour === 'hang') await timeOut(clock, first);
      const result = await answer;
      expect(result.provider).toBe('anthropic');
      expect(result.model).toBe('claude-b');
      expect(result.text).toBe('answer from anthropic');
      expect(result.attempts.map((a) => a.outcome)).toEqual(['failed', 'ok']);
    }
  });

  it('names the reason and status of each failed attempt', async () => {
    const result = await routerOver(new ScriptedAdapter('openai', { status: 429 }), new ScriptedAdapter('anthropic')).chat({ messages, maxTokens: 16 });
    expect(result.attempts[0]).toMatchObject({ provider: 'openai', model: 'gpt-a', outcome: 'failed', reason: 'rate_limited', status: 429 });
    const clock = new ManualClock();
    const hanging = new ScriptedAdapter('openai', 'hang');
    const answer = routerOver(hanging, new ScriptedAdapter('anthropic'), { clock }).chat({ messages, maxTokens: 16 });
    await timeOut(clock, hanging);
    const timedOut = await answer;
    expect(timedOut.attempts[0]).toMatchObject({ reason: 'timeout' });
    expect(timedOut.attempts[0]!.durationMs).toBeGreaterThanOrEqual(190);
    expect(timedOut.attempts[0]!.durationMs).toBe(200); // the timeout, exactly, on the router's clock
  });

  it('does not fall back on a bad request: another provider would not fix it', async () => {
    const second = new ScriptedAdapter('anthropic');
    await expect(routerOver(new ScriptedAdapter('openai', 'bad-request'), second).chat({ messages, maxTokens: 16 })).rejects.toThrow('400 bad request');
    expect(second.calls).toBe(0);
  });

  it('falls back on a model refusal unless told not to', async () => {
    const refusing = new ScriptedAdapter('openai', 'refuse-model');
    expect((await routerOver(refusing, new ScriptedAdapter('anthropic')).chat({ messages, maxTokens: 16 })).provider).toBe('anthropic');
    const kept = await routerOver(refusing, new ScriptedAdapter('anthropic'), { fallbackOnModelRefusal: false }).chat({ messages, maxTokens: 16 });
    expect(kept).toMatchObject({ provider: 'openai', finishReason: 'refusal' });
  });

  it('throws AllProvidersFailedError with every attempt when none answers', async () => {
    const error = await routerOver(new ScriptedAdapter('openai', { status: 429 }), new ScriptedAdapter('anthropic', { status: 429 }))
      .chat({ messages, maxTokens: 16 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AllProvidersFailedError);
    expect((error as AllProvidersFailedError).status).toBe(429);
    expect((error as AllProvidersFailedError).attempts.map((a) => a.reason)).toEqual(['rate_limited', 'rate_limited']);
    expect((error as Error).message).toBe('tokenmeter: no provider could answer: openai: failed (rate_limited), anthropic: failed (rate_limited)');
  });

  it('cools a failing provider down, skips it, and brings it back after a successful probe', async () => {
    const first = new ScriptedAdapter('openai', { status: 500 });
    const second = new ScriptedAdapter('anthropic');
    const clock = new ManualClock();
    const router = routerOver(first, second, { cooldown: { failures: 2, millis: 150 }, clock });
    await router.chat({ messages, maxTokens: 16 });
    await router.chat({ messages, maxTokens: 16 });
    expect(router.health()[0]).toMatchObject({ provider: 'openai', state: 'open', consecutiveFailures: 2 });
    const skipped = await router.chat({ messages, maxTokens: 16 });
    expect(skipped.attempts[0]).toMatchObject({ provider: 'openai', outcome: 'skipped', reason: 'cooling_down' });
    expect(first.calls).toBe(2);
    first.behaviour = 'ok';
    clock.advance(149);
    expect((await router.chat({ messages, maxTokens: 16 })).attempts[0]).toMatchObject({ outcome: 'skipped', reason: 'cooling_down' });
    clock.advance(11);
    const probed = await router.chat({ messages, maxTokens: 16 });
    expect(probed.provider).toBe('openai');
    expect(router.health()[0]).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
  });

  it('orders by configured priority', async () => {
    const router = createRouter({
      providers: [
        { name: 'openai', adapter: new ScriptedAdapter('openai'), model: 'gpt-a', priority: 5 },
        { name: 'anthropic', adapter: new ScriptedAdapter('anthropic'), model: 'claude-b', priority: 1 },
      ],
      link: null,
    });
    expect((await router.chat({ messages, maxTokens: 16 })).provider).toBe('anthropic');
  });

  it('streams from the first provider that starts answering', async () => {
    const router = routerOver(new ScriptedAdapter('openai', { status: 502 }), new ScriptedAdapter('anthropic'));
    const stream = await router.chat({ messages, maxTokens: 16, stream: true });
    expect(stream.provider).toBe('anthropic');
    let text = '';
    for await (const delta of stream) text += delta.text;
    expect(text).toBe('anthropic:streamed');
    const result = await stream.result;
    expect(result).toMatchObject({ provider: 'anthropic', text: 'anthropic:streamed', finishReason: 'stop', usage: { input: 1, output: 2 } });
    expect(result.attempts.map((a) => a.outcome)).toEqual(['failed', 'ok']);
  });

  it('rejects bad requests and options with messages naming the field', async () => {
    const router = routerOver(new ScriptedAdapter('openai'), new ScriptedAdapter('anthropic'));
    await expect(router.chat({ messages: [], maxTokens: 16 })).rejects.toThrow('tokenmeter: request.messages must be a non-empty array');
    await expect(router.chat({ messages, maxTokens: 0 })).rejects.toThrow('tokenmeter: request.maxTokens must be a positive integer, got 0');
    await expect(router.chat({ messages: [{ role: 'tool' as never, content: 'x' }], maxTokens: 1 })).rejects.toThrow('tokenmeter: request.messages[0].role must be system, user or assistant');
    await expect(router.chat({ messages, maxTokens: 1, temperature: 3 })).rejects.toThrow('tokenmeter: request.temperature must be between 0 and 2, got 3');
    expect(() => createRouter({ providers: [] })).toThrow('tokenmeter: createRouter needs at least one provider in options.providers');
    expect(() => createRouter({ providers: [{ name: 'openai', model: 'm' }] })).toThrow('tokenmeter: providers[0] needs a client (new OpenAI(...) or new Anthropic(...)) or an adapter');
    expect(() => createRouter({ providers: [{ name: 'x', model: 'm', client: {} as never }] })).toThrow('tokenmeter: providers[0].client is not an OpenAI or Anthropic client');
  });
});
