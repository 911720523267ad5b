/**
 * Money as the control plane sends it: exact decimal strings (`*_usd`).
 * Shown rounded half-up on the string, compared as integer pico-USD: never
 * through floating point, so a displayed figure is the ledger's figure rounded.
 */

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;
// BigInt() calls, not literals: the bundle targets ES2015 syntax.
const ZERO = BigInt(0);
const TWO = BigInt(2);
const TEN = BigInt(10);
const PER_USD = BigInt('1000000000000');
const MILLI_USD = BigInt(1_000_000_000); // $0.001 in pico
const DIME_USD = BigInt(100_000_000_000); // $0.10 in pico

/** 10^n without `**` (down-levelled to Math.pow, which refuses BigInt). */
function pow10(n: number): bigint {
  let v = BigInt(1);
  for (let i = 0; i < n; i++) {
    v *= TEN;
  }
  return v;
}

/** `"12.345"` → 12345000000000n pico-USD; undefined for anything that is not a decimal string. */
export function usdToPico(usd: string | null | undefined): bigint | undefined {
  if (typeof usd !== 'string') {
    return undefined;
  }
  const m = DECIMAL.exec(usd.trim());
  if (!m) {
    return undefined;
  }
  const frac = (m[3] ?? '').padEnd(12, '0').slice(0, 12);
  const v = BigInt(m[2]!) * PER_USD + BigInt(frac);
  return m[1] ? -v : v;
}

function groupThousands(int: string): string {
  return int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * `"1234.5678"` → `"$1,234.57"`. `digits` fraction digits (default 2; more for
 * sub-cent figures such as cost per request). Missing or malformed → `"—"`.
 */
export function formatUsd(usd: string | null | undefined, digits = 2): string {
  const pico = usdToPico(usd);
  if (pico === undefined) {
    return '—';
  }
  const neg = pico < ZERO;
  const abs = neg ? -pico : pico;
  const unit = pow10(12 - digits);
  const rounded = (abs + unit / TWO) / unit; // half-up on the exact value
  const s = rounded.toString().padStart(digits + 1, '0');
  const int = s.slice(0, s.length - digits) || '0';
  const frac = digits > 0 ? `.${s.slice(s.length - digits)}` : '';
  return `${neg && rounded !== ZERO ? '-' : ''}$${groupThousands(int)}${frac}`;
}

/** Small amounts (cost per request) need more digits than dollars do. */
export function formatUsdAuto(usd: string | null | undefined): string {
  const pico = usdToPico(usd);
  if (pico === undefined) {
    return '—';
  }
  const abs = pico < ZERO ? -pico : pico;
  return formatUsd(usd, abs !== ZERO && abs < MILLI_USD ? 6 : abs < DIME_USD ? 4 : 2);
}

/** Sorts by exact amount (missing last). */
export function compareUsd(a: string | null | undefined, b: string | null | undefined): number {
  const x = usdToPico(a);
  const y = usdToPico(b);
  if (x === undefined || y === undefined) {
    return x === undefined ? (y === undefined ? 0 : 1) : -1;
  }
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A ratio (0.8 = 80 %) as a percentage, or "—". */
export function formatPercent(ratio: number | null | undefined, digits = 1): string {
  if (typeof ratio !== 'number' || !Number.isFinite(ratio)) {
    return '—';
  }
  return `${(ratio * 100).toFixed(digits)} %`;
}

/**
 * Shares of one whole (ratios summing to 1) as whole percentages that add up
 * to 100: largest remainders get the points rounding left over, so three
 * weights never read as 46 %, 44 % and 11 %.
 */
export function wholePercents(ratios: number[]): number[] {
  const shares = ratios.map((r) => Math.max(0, r));
  const sum = shares.reduce((a, b) => a + b, 0);
  if (sum === 0) {
    return shares.map(() => 0);
  }
  const exact = shares.map((v) => (v * 100) / sum);
  const floors = exact.map(Math.floor);
  let left = 100 - floors.reduce((a, b) => a + b, 0);
  const order = exact.map((v, i) => [v - floors[i]!, i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of order) {
    if (left-- <= 0) {
      break;
    }
    floors[i]! += 1;
  }
  return floors;
}

/** Whole numbers with thousands separators (tokens, requests). */
export function formatCount(n: number | null | undefined): string {
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    return '—';
  }
  return groupThousands(String(Math.round(n)));
}

/** A float from an exact decimal string, for drawing only (chart coordinates), never for figures shown. */
export function usdForChart(usd: string | null | undefined): number | undefined {
  const pico = usdToPico(usd);
  return pico === undefined ? undefined : Number(pico) / 1e12;
}
