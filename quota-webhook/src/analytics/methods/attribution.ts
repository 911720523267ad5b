/**
 * Which values of a dimension (user, feature, model, …) explain a change.
 * Each value's delta is its observed minus its expected amount; the total
 * delta is their sum. Values are ranked by how much they move the total in
 * its own direction, and `share` is delta ÷ total delta (shares sum to 1;
 * a value that moved against the total has a negative share).
 */

export interface KeyAmounts {
  key: string | null;
  observed: number;
  expected: number;
}

export interface Contribution extends KeyAmounts {
  delta: number;
  share: number;
}

export interface Attribution {
  observed: number;
  expected: number;
  delta: number;
  /** Ranked contributions, at most `top`. */
  contributions: Contribution[];
  /** Share of the total delta the listed contributions explain. */
  explained: number;
}

export function attributeDelta(rows: readonly KeyAmounts[], top = 5): Attribution {
  let observed = 0;
  let expected = 0;
  for (const r of rows) {
    observed += r.observed;
    expected += r.expected;
  }
  const delta = observed - expected;
  const sign = delta >= 0 ? 1 : -1;
  const all = rows.map((r) => {
    const d = r.observed - r.expected;
    return { ...r, delta: d, share: delta !== 0 ? d / delta : 0 };
  });
  all.sort((a, b) => sign * (b.delta - a.delta) || String(a.key).localeCompare(String(b.key)));
  const contributions = all.slice(0, top);
  const explained = contributions.reduce((a, c) => a + c.share, 0);
  return { observed, expected, delta, contributions, explained };
}
