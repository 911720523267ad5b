/** Builds a report of any kind from a validated definition. */
import type { ReportDefinition } from '../definition.js';
import type { Report } from '../model.js';
import { resolvePeriod } from '../periods.js';
import { chargebackReport, forecastReport, recommendationsReport } from './analytics.js';
import { auditReport } from './audit.js';
import type { ReportContext } from './context.js';
import { usageReport } from './usage.js';

/**
 * Relative periods resolve at `reference` (default: the generation time; a
 * scheduled run passes its tick). Throws `ReportInputError` (bad period) or
 * `SourceUnavailableError` (analytics not connected) before any output.
 */
export function buildReport(def: ReportDefinition, ctx: ReportContext, reference = ctx.now): Report {
  const input = { def, period: resolvePeriod(def, reference), ctx };
  switch (def.kind) {
    case 'usage': return usageReport(input);
    case 'audit': return auditReport(input);
    case 'chargeback': return chargebackReport(input);
    case 'forecast': return forecastReport(input);
    case 'recommendations': return recommendationsReport(input);
  }
}
