import type { ProviderState } from '../../api/resources';

/** Providers grouped by organisation (`*` = the default for every org first), by priority within one. */
export function byOrg(providers: ProviderState[]): Array<[string, ProviderState[]]> {
  const groups = new Map<string, ProviderState[]>();
  for (const p of providers) {
    groups.set(p.org, [...(groups.get(p.org) ?? []), p]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a === '*' ? -1 : b === '*' ? 1 : a.localeCompare(b)))
    .map(([org, list]) => [org, list.sort((x, y) => x.priority - y.priority || x.provider.localeCompare(y.provider))]);
}
