/** Attribution carried by resource attributes (`OTEL_RESOURCE_ATTRIBUTES=tokenmeter.org=acme,…`). */
import type { Attributes } from '@opentelemetry/api';
import type { Attribution } from '../protocol.js';
import { ATTR_SESSION_ID, ATTR_TOKENMETER_DEPARTMENT, ATTR_TOKENMETER_FEATURE, ATTR_TOKENMETER_INVESTIGATION, ATTR_TOKENMETER_ORG, ATTR_TOKENMETER_PROJECT, ATTR_USER_ID } from '../semconv.js';

/** OTel attribute key of each attribution field (resource attributes, baggage entries, span attributes). */
export const ATTRIBUTION_KEYS: ReadonlyArray<[keyof Attribution, string]> = [
  ['org', ATTR_TOKENMETER_ORG],
  ['department', ATTR_TOKENMETER_DEPARTMENT],
  ['feature', ATTR_TOKENMETER_FEATURE],
  ['user', ATTR_USER_ID],
  ['investigation', ATTR_TOKENMETER_INVESTIGATION],
  ['session', ATTR_SESSION_ID],
  ['project', ATTR_TOKENMETER_PROJECT],
];

export function attributionFromResource(attributes: Attributes): Attribution {
  const out: Attribution = {};
  for (const [field, key] of ATTRIBUTION_KEYS) {
    const value = attributes[key];
    if (typeof value === 'string' && value !== '') out[field] = value;
  }
  return out;
}
