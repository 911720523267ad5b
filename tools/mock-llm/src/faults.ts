/** Fault injection: the `x-mock-fault` header or rules set through the control API. */
import type { FaultRule, Provider } from './types.js';

export type Fault =
  | { kind: 'status'; status: number }
  | { kind: 'timeout' }
  | { kind: 'slow'; millis: number }
  | { kind: 'drop-stream'; after: number };

/** Parses `429`, `500`, `503`, `529`, `timeout`, `slow:<ms>`, `drop-stream:<n>`; throws naming the problem. */
export function parseFault(text: string): Fault {
  if (/^[45]\d\d$/.test(text)) return { kind: 'status', status: Number(text) };
  if (text === 'timeout') return { kind: 'timeout' };
  const slow = /^slow:(\d+)$/.exec(text);
  if (slow) return { kind: 'slow', millis: Number(slow[1]) };
  const drop = /^drop-stream:(\d+)$/.exec(text);
  if (drop) return { kind: 'drop-stream', after: Number(drop[1]) };
  throw new Error(`unknown fault "${text}" (use 429, 500, 503, 529, timeout, slow:<ms> or drop-stream:<n>)`);
}

export class FaultRules {
  private _rules: Array<FaultRule & { remaining: number }> = [];

  set(rules: FaultRule[]): void {
    for (const rule of rules) parseFault(rule.fault);
    this._rules = rules.map((rule) => ({ ...rule, remaining: rule.times ?? Number.POSITIVE_INFINITY }));
  }

  clear(): void {
    this._rules = [];
  }

  list(): FaultRule[] {
    return this._rules.map(({ remaining: _remaining, ...rule }) => rule);
  }

  /** The first live rule matching this request, consumed once. */
  take(provider: Provider, path: string, model: string | undefined): string | undefined {
    for (const rule of this._rules) {
      if (rule.remaining <= 0) continue;
      const m = rule.match ?? {};
      if (m.provider !== undefined && m.provider !== provider) continue;
      if (m.path !== undefined && m.path !== path) continue;
      if (m.model !== undefined && m.model !== model) continue;
      rule.remaining--;
      return rule.fault;
    }
    return undefined;
  }
}

/** Resolves after `millis`, or rejects when `signal` aborts. */
export function delay(millis: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('aborted'));
    const timer = setTimeout(resolve, millis);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    }, { once: true });
  });
}
