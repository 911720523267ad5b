/** What a report kind reads: the store, the price table, the analytics sources, and the generation time. */
import type { PriceCatalog } from '@tokenmeter/instrumentation/pricing';
import type { Store } from '../../store/types.js';
import type { ReportDefinition } from '../definition.js';
import type { ReportPeriod } from '../model.js';
import type { ReportSources } from './sources.js';

export interface ReportContext {
  store: Store;
  /** The control plane's current price table (admin prices on top of the bundled ones). */
  catalog: PriceCatalog;
  sources: ReportSources;
  /** Generation time, epoch ms: the snapshot instant and the reference of relative periods. */
  now: number;
}

export interface KindInput {
  def: ReportDefinition;
  period: ReportPeriod;
  ctx: ReportContext;
}

export const DEFAULT_TITLES: Record<ReportDefinition['kind'], string> = {
  usage: 'LLM usage report',
  chargeback: 'LLM chargeback report',
  forecast: 'LLM spend forecast',
  recommendations: 'LLM cost-saving recommendations',
  audit: 'LLM usage ledger audit',
};

/** The filters and options a document header lists. */
export function describeFilters(def: ReportDefinition): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(def.filters)) if (v !== undefined) out[k] = v;
  if (def.scope !== undefined) out.scope = def.scope;
  if (def.subject !== undefined) out.subject = def.subject;
  if (def.horizon !== undefined) out.horizon = def.horizon;
  return out;
}
