/**
 * Checks a FOCUS dataset (header + rows) against the specification's column
 * list: every Mandatory column present, every other column a FOCUS column or
 * `x_`-prefixed and after the FOCUS ones, no null where the column allows
 * none, Decimal in the numeric format, Date/Time as `YYYY-MM-DDTHH:mm:ssZ`,
 * allowed values, Key-Value JSON objects of scalars. Returns the problems
 * (empty = valid); used by the tests and available to operators.
 */
import { FOCUS_1_2_COLUMNS } from './spec-columns.js';
import { FOCUS_SPEC_BY_ID } from './columns.js';

const NUMERIC = /^-?(?:\d+)(?:\.\d+)?(?:E-?\d+)?$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const CURRENCY = /^[A-Z]{3}$/;

export function validateFocusHeader(header: readonly string[]): string[] {
  const problems: string[] = [];
  for (const c of FOCUS_1_2_COLUMNS) if (c.feature_level === 'Mandatory' && !header.includes(c.id)) problems.push(`missing mandatory column ${c.id}`);
  let customSeen = false;
  const seen = new Set<string>();
  for (const h of header) {
    if (seen.has(h)) problems.push(`column ${h} appears twice`);
    seen.add(h);
    if (h.startsWith('x_')) {
      customSeen = true;
      continue;
    }
    if (!FOCUS_SPEC_BY_ID.has(h)) problems.push(`column ${h} is neither a FOCUS 1.2 column nor x_-prefixed`);
    else if (customSeen) problems.push(`FOCUS column ${h} comes after custom columns`);
  }
  return problems;
}

/** Problems of one row (`row` maps column id → cell text, '' = null). */
export function validateFocusRow(row: Readonly<Record<string, string | null>>, index: number): string[] {
  const problems: string[] = [];
  for (const [id, raw] of Object.entries(row)) {
    const spec = FOCUS_SPEC_BY_ID.get(id);
    if (!spec) continue;
    const value = raw === null || raw === '' ? null : raw;
    const at = `row ${index} ${id}`;
    if (value === null) {
      if (!spec.allows_nulls) problems.push(`${at}: null, but the column allows no nulls`);
      continue;
    }
    if (spec.data_type === 'Decimal' && !NUMERIC.test(value)) problems.push(`${at}: "${value}" is not in the numeric format`);
    if (spec.data_type === 'Date/Time' && !DATE_TIME.test(value)) problems.push(`${at}: "${value}" is not YYYY-MM-DDTHH:mm:ssZ`);
    if (spec.value_format === 'Currency Format' && !CURRENCY.test(value)) problems.push(`${at}: "${value}" is not an ISO 4217 currency code`);
    if (spec.allowed_values && !spec.allowed_values.includes(value)) problems.push(`${at}: "${value}" is not an allowed value`);
    if (spec.data_type === 'JSON') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        problems.push(`${at}: not JSON`);
        continue;
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) problems.push(`${at}: not a JSON object`);
      else if (Object.values(parsed).some((v) => v !== null && typeof v === 'object')) problems.push(`${at}: values must be scalars`);
    }
  }
  // Cross-column rules of PricingUnit / PricingQuantity.
  if ('PricingUnit' in row && 'PricingQuantity' in row && (row.PricingUnit === null || row.PricingUnit === '') !== (row.PricingQuantity === null || row.PricingQuantity === '')) {
    problems.push(`row ${index}: PricingUnit must be null exactly when PricingQuantity is null`);
  }
  return problems;
}
