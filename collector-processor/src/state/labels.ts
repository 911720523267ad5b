/** Series label sets: pairs in a fixed order, rendered once per series and keyed for lookup. */
import { escapePrometheusLabelValue } from '@tokenmeter/instrumentation/semconv';
import { joinFlat } from '../util/flat-string.js';

export type LabelPairs = ReadonlyArray<readonly [string, string]>;

/** The label block without braces (`a="x",b="y"`), empty for no labels; a flat string (it is kept per series). */
export function renderLabels(pairs: LabelPairs): string {
  const parts: string[] = [];
  for (const [name, value] of pairs) {
    if (parts.length > 0) parts.push(',');
    parts.push(name, '="', escapePrometheusLabelValue(value), '"');
  }
  return joinFlat(parts);
}

/** A series key: names and values between separators that cannot appear in a rendered label; flat (it is a map key). */
export function seriesKey(pairs: LabelPairs, ...more: string[]): string {
  const parts: string[] = [];
  for (const [name, value] of pairs) parts.push(name, '\u0001', value, '\u0002');
  for (const m of more) parts.push(m);
  return joinFlat(parts);
}

/** The key of `pairs` followed by one more label, from the key of `pairs` (flat). */
export function extendKey(key: string, name: string, value: string): string {
  return joinFlat([key, name, '\u0001', value, '\u0002']);
}
