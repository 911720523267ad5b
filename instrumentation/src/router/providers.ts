/** The providers a router was given: their adapters, health, and the order to try them in. */
import type { ProviderPolicy } from '../control/provider-limits.js';
import { AnthropicAdapter, type AnthropicClientLike } from './adapters/anthropic.js';
import { OpenAIAdapter, type OpenAIClientLike } from './adapters/openai.js';
import type { ProviderAdapter } from './adapters/types.js';
import type { ProviderHealth } from './health.js';

export interface RouterProvider {
  /** Provider name, as in `gen_ai.provider.name` and the control plane's provider settings (`openai`, `anthropic`). */
  name: string;
  /** The caller's SDK client (`new OpenAI(...)`, `new Anthropic(...)`). */
  client?: OpenAIClientLike | AnthropicClientLike;
  /** Which adapter drives `client` (default: from `name`, else from the client's shape). */
  kind?: 'openai' | 'anthropic';
  /** A custom adapter instead of `client`. */
  adapter?: ProviderAdapter;
  /** Model to use on this provider. */
  model: string;
  /** Lower = tried first (default: the position in `providers`). The control plane's priority for the org wins when set. */
  priority?: number;
}

/** One configured provider, ready to be tried. */
export interface RouterEntry {
  index: number;
  config: RouterProvider;
  adapter: ProviderAdapter;
  health: ProviderHealth;
}

/** A provider in the order of one routed call, with its enabled flag for the call's org. */
export interface Candidate {
  entry: RouterEntry;
  enabled: boolean;
}

/** Providers in the order to try for `org`: the control plane's settings (enabled, priority) over the configured ones. */
export function orderCandidates(entries: readonly RouterEntry[], policy: ProviderPolicy | undefined, org: string | undefined): Candidate[] {
  const list = entries.map((entry) => {
    const settings = policy?.settings(org, entry.config.name);
    return {
      entry,
      enabled: settings?.enabled ?? true,
      priority: settings?.priority ?? entry.config.priority ?? entry.index,
    };
  });
  list.sort((a, b) => a.priority - b.priority || a.entry.index - b.entry.index);
  return list;
}

/** The adapter that drives `config` (its own, or one for its OpenAI or Anthropic client); throws a `TypeError` naming what is wrong. */
export function adapterFor(config: RouterProvider, index: number): ProviderAdapter {
  if (typeof config.name !== 'string' || config.name === '') throw new TypeError(`tokenmeter: providers[${index}].name must be a non-empty string`);
  if (typeof config.model !== 'string' || config.model === '') throw new TypeError(`tokenmeter: providers[${index}].model must be a non-empty string`);
  if (config.adapter !== undefined) return config.adapter;
  const client = config.client as Partial<OpenAIClientLike & AnthropicClientLike> | undefined;
  if (client === undefined || client === null) throw new TypeError(`tokenmeter: providers[${index}] needs a client (new OpenAI(...) or new Anthropic(...)) or an adapter`);
  const kind =
    config.kind ??
    (config.name === 'openai' || config.name === 'anthropic'
      ? config.name
      : typeof client.chat?.completions?.create === 'function'
        ? 'openai'
        : typeof client.messages?.create === 'function'
          ? 'anthropic'
          : undefined);
  if (kind === 'openai' && typeof client.chat?.completions?.create === 'function') return new OpenAIAdapter(client as OpenAIClientLike);
  if (kind === 'anthropic' && typeof client.messages?.create === 'function') return new AnthropicAdapter(client as AnthropicClientLike);
  throw new TypeError(`tokenmeter: providers[${index}].client is not an ${kind ?? 'OpenAI or Anthropic'} client`);
}
