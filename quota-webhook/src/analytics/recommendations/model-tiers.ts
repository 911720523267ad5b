/**
 * The next cheaper model of the same provider family, one step down
 * (flagship → mid tier → small tier; a "pro" variant → its base model).
 * Names are the catalog's normalised ids. A step is only recommended when the
 * price catalog in force prices both models and the cheaper one costs less
 * on input and on output (checked at recommendation time, so admin prices
 * count), and a test checks every step against the bundled catalog.
 */
import { canonicalProvider, normaliseModel } from '@tokenmeter/instrumentation/pricing';

const STEPS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  openai: {
    'gpt-6-astra': 'gpt-6-sol',
    'gpt-6-sol': 'gpt-6-luna',
    'gpt-6.1-sol': 'gpt-6-luna',
    'gpt-5.6-sol': 'gpt-5.6-terra',
    'gpt-5.6-terra': 'gpt-5.6-luna',
    'gpt-5.5-pro': 'gpt-5.5',
    'gpt-5.5': 'gpt-5.4',
    'gpt-5.4-pro': 'gpt-5.4',
    'gpt-5.4': 'gpt-5.4-mini',
    'gpt-5.4-mini': 'gpt-5.4-nano',
    'gpt-5.2-pro': 'gpt-5.2',
    'gpt-5.2': 'gpt-5-mini',
    'gpt-5.1': 'gpt-5-mini',
    'gpt-5-pro': 'gpt-5',
    'gpt-5': 'gpt-5-mini',
    'gpt-5-mini': 'gpt-5-nano',
    'gpt-4.1': 'gpt-4.1-mini',
    'gpt-4.1-mini': 'gpt-4.1-nano',
    'gpt-4o': 'gpt-4o-mini',
    'o1-pro': 'o1',
    'o1': 'o4-mini',
    'o3-pro': 'o3',
    'o3': 'o4-mini',
  },
  anthropic: {
    'claude-fable-5-1': 'claude-opus-5-5',
    'claude-mythos-5-1': 'claude-opus-5-5',
    'claude-fable-5': 'claude-opus-5',
    'claude-mythos-5': 'claude-opus-5',
    'claude-opus-5-5': 'claude-sonnet-5-5',
    'claude-opus-5': 'claude-sonnet-5',
    'claude-sonnet-5-5': 'claude-haiku-5-5',
    'claude-sonnet-5': 'claude-haiku-5-5',
    'claude-opus-4-8': 'claude-sonnet-4-6',
    'claude-opus-4-7': 'claude-sonnet-4-6',
    'claude-opus-4-6': 'claude-sonnet-4-6',
    'claude-opus-4-5': 'claude-sonnet-4-5',
    'claude-opus-4-1': 'claude-sonnet-4',
    'claude-opus-4': 'claude-sonnet-4',
    'claude-sonnet-4-6': 'claude-haiku-4-5',
    'claude-sonnet-4-5': 'claude-haiku-4-5',
    'claude-sonnet-4': 'claude-haiku-4-5',
    'claude-3-7-sonnet': 'claude-3-5-haiku',
    'claude-3-opus': 'claude-3-7-sonnet',
    'claude-3-5-haiku': 'claude-3-haiku',
  },
  google: {
    'gemini-3.1-pro-preview': 'gemini-3.5-flash',
    'gemini-3-pro-preview': 'gemini-3.5-flash',
    'gemini-3.5-flash': 'gemini-3.8-flash',
    'gemini-2.5-pro': 'gemini-2.5-flash',
    'gemini-2.5-flash': 'gemini-2.5-flash-lite',
    'gemini-2.0-flash': 'gemini-2.0-flash-lite',
  },
  mistral: {
    'mistral-large': 'mistral-small',
    'mistral-medium': 'mistral-small',
    'magistral-medium': 'magistral-small',
    'devstral-medium': 'devstral-small',
    'ministral-8b': 'ministral-3b',
  },
};

/** The next cheaper model of the same family, or `undefined` (already the smallest, or not known). */
export function cheaperModel(provider: string, model: string): string | undefined {
  const steps = STEPS[canonicalProvider(provider, model)];
  if (!steps) return undefined;
  return steps[normaliseModel(model)];
}

/** Every (provider, model → cheaper) step, for the catalog test. */
export function modelSteps(): Array<{ provider: string; from: string; to: string }> {
  const out: Array<{ provider: string; from: string; to: string }> = [];
  for (const [provider, steps] of Object.entries(STEPS)) for (const [from, to] of Object.entries(steps)) out.push({ provider, from, to });
  return out;
}
