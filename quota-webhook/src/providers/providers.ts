/**
 * Provider settings per organisation (`org` `*` = the default for every
 * org): enabled, priority, hourly/daily limits, and their exact usage in the
 * current UTC hour and day from the running totals.
 */
import type { ProviderLimits, ProviderState } from '@tokenmeter/instrumentation/protocol';
import type { AuditLog } from '../audit.js';
import { EntityFamily } from '../entities/entity-family.js';
import { windowStart } from '../quotas/periods.js';
import type { Store, TotalRow } from '../store/types.js';

export interface ProviderConfig {
  org: string;
  provider: string;
  enabled: boolean;
  priority: number;
  limits: ProviderLimits;
  updated_at: string;
}

export class Providers extends EntityFamily<ProviderConfig> {
  constructor(private readonly _totals: Store, audit: AuditLog) {
    super('provider', _totals, audit);
  }

  static id(org: string, provider: string): string {
    return `${org}/${provider}`;
  }

  /** Provider states with exact current-hour and current-day (UTC) usage. A `*` default also appears per org that used the provider today. */
  async states(nowMs: number): Promise<ProviderState[]> {
    if (this.size === 0) return [];
    const hour = windowStart('hour', nowMs, 'UTC');
    const day = windowStart('day', nowMs, 'UTC');
    const hourRows = await this._totals.windowTotals('hour', 'UTC', hour, 'provider');
    const dayRows = await this._totals.windowTotals('day', 'UTC', day, 'provider');
    const sum = (rows: readonly TotalRow[], org: string, provider: string): { requests: number; tokens: number } => {
      let requests = 0;
      let tokens = 0n;
      for (const r of rows) {
        if (r.subject !== provider || (org !== '*' && r.org !== org)) continue;
        requests += r.requests;
        tokens += r.tokens;
      }
      return { requests, tokens: Number(tokens) };
    };
    const state = (p: Readonly<ProviderConfig>, org: string): ProviderState => {
      const h = sum(hourRows, org, p.provider);
      const d = sum(dayRows, org, p.provider);
      return {
        org, provider: p.provider, enabled: p.enabled, priority: p.priority, limits: p.limits,
        usage: {
          hour_start: new Date(hour).toISOString(), hour_requests: h.requests, hour_tokens: h.tokens,
          day_start: new Date(day).toISOString(), day_requests: d.requests, day_tokens: d.tokens,
        },
      };
    };
    const out: ProviderState[] = [];
    for (const p of this.list()) {
      out.push(state(p, p.org));
      if (p.org !== '*') continue;
      const orgs = new Set(dayRows.filter((r) => r.subject === p.provider && r.org !== '').map((r) => r.org));
      for (const org of orgs) if (!this.has(Providers.id(org, p.provider))) out.push(state(p, org));
    }
    return out.sort((a, b) => (a.org === b.org ? a.priority - b.priority || (a.provider < b.provider ? -1 : 1) : a.org < b.org ? -1 : 1));
  }
}
