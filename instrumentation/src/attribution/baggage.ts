/**
 * Attribution carried in OpenTelemetry baggage (`tokenmeter.org`,
 * `tokenmeter.department`, `tokenmeter.feature`, `user.id`,
 * `tokenmeter.investigation`, `session.id`), e.g. set by an upstream service
 * and propagated through the `baggage` header by the application's OTel SDK.
 */
import type { Baggage } from '@opentelemetry/api';
import type { Attribution } from '../protocol.js';
import { ATTRIBUTION_KEYS } from './resource.js';
import { acceptAttributionValue } from './validate.js';

/** The attribution entries of `baggage`; invalid values (too long, bad characters) are ignored. */
export function attributionFromBaggage(baggage: Baggage): Attribution | undefined {
  let out: Attribution | undefined;
  for (const [field, key] of ATTRIBUTION_KEYS) {
    const entry = baggage.getEntry(key);
    if (entry === undefined) continue;
    const value = acceptAttributionValue(entry.value);
    if (value !== undefined) (out ??= {})[field] = value;
  }
  return out;
}
