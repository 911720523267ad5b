/**
 * How a figure from the API must read on a page, written apart from the
 * plugin's own formatting (src/utils/money.ts) so that a formatting bug
 * cannot hide behind itself: USD rounded half-up on the exact decimal string,
 * thousands grouped; percentages with a fixed number of decimals.
 */

/** `"1234.5678"` → `"$1,234.57"` (exact, half-up). */
export function usd(exact: string, digits = 2): string {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(exact);
  if (!m) {
    throw new Error(`not a non-negative decimal: ${exact}`);
  }
  const scaled = BigInt(m[1]! + (m[2] ?? '').padEnd(digits + 1, '0').slice(0, digits + 1));
  const rounded = ((scaled + 5n) / 10n).toString().padStart(digits + 1, '0');
  const int = rounded.slice(0, rounded.length - digits).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `$${int}${digits > 0 ? `.${rounded.slice(rounded.length - digits)}` : ''}`;
}

/** 0.8733 → `"87.3 %"`. */
export const percent = (ratio: number, digits = 1): string => `${(ratio * 100).toFixed(digits)} %`;

/** 1241611 → `"1,241,611"`. */
export const count = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
