/** Series label sets: pairs in a fixed order, rendered once per series and keyed for lookup. */
import { escapePrometheusLabelValue } from '@tokenmeter/instrumentation/semconv';

export type LabelPairs = ReadonlyArray<readonly [string, string]>;

/** The label block without braces (`a="x",b="y"`), empty for no labels. */
export function renderLabels(pairs: LabelPairs): string {
  let out = '';
  for (const [name, value] of pairs) {
    if (out !== '') out += ',';
    out += `${name}="${escapePrometheusLabelValue(value)}"`;
  }
  return out;
}

/** A series key: values joined by a separator that cannot appear in a rendered label. */
export function seriesKey(pairs: LabelPairs): string {
  let key = '';
  for (const [name, value] of pairs) key += `${name}\u0001${value}\u0002`;
  return key;
}
