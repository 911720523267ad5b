/** Prometheus label rendering: pairs in a fixed order → `{a="x",b="y"}` with the exposition format's escaping. */

export type LabelPairs = ReadonlyArray<readonly [string, string]>;

export function escapeLabelValue(value: string): string {
  return /[\\"\n]/.test(value) ? value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : value;
}

/** The label block without braces (`a="x",b="y"`), empty for no labels. */
export function renderLabels(pairs: LabelPairs): string {
  let out = '';
  for (const [name, value] of pairs) {
    if (out !== '') out += ',';
    out += `${name}="${escapeLabelValue(value)}"`;
  }
  return out;
}

/** A series key: values joined by a separator that cannot appear in a rendered label. */
export function seriesKey(pairs: LabelPairs): string {
  let key = '';
  for (const [name, value] of pairs) key += `${name}\u0001${value}\u0002`;
  return key;
}
