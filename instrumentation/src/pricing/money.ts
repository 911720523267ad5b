/**
 * Exact money. A price per million tokens with at most 6 fractional digits is
 * a whole number of micro-USD per million tokens, which is the same number as
 * pico-USD per token: cost (pico-USD) = tokens × micro-USD-per-million, an
 * exact bigint product with no rounding anywhere.
 */

/** Pico-USD in one USD. */
export const PICO_PER_USD = 1_000_000_000_000n;
/** Micro-USD in one USD. */
export const MICRO_PER_USD = 1_000_000n;
/** Pico-USD in one micro-USD. */
export const PICO_PER_MICRO = 1_000_000n;
/** Fractional digits a price per million tokens may carry (whole micro-USD per million). */
export const PRICE_FRACTION_DIGITS = 6;
/** Fractional digits of an exact USD amount (whole pico-USD). */
export const USD_FRACTION_DIGITS = 12;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/** Parses a decimal USD string into exact pico-USD. Throws a `RangeError` on anything but a plain decimal with ≤ 12 fractional digits. */
export function parseUsd(decimal: string): bigint {
  return parseScaled(decimal, USD_FRACTION_DIGITS, 'USD amount', true);
}

/**
 * Parses a price per million tokens (`"2.50"`) into integer micro-USD per
 * million tokens (`2500000n`), i.e. pico-USD per token. Non-negative, at most
 * 6 fractional digits; throws a `RangeError` naming the problem otherwise.
 */
export function parsePricePerMillion(decimal: string): bigint {
  return parseScaled(decimal, PRICE_FRACTION_DIGITS, 'price per million tokens', false);
}

/** Exact decimal USD of a pico-USD amount: no float, trailing zeros dropped (`1500000000000n` → `"1.5"`). */
export function formatUsd(pico: bigint): string {
  const negative = pico < 0n;
  const abs = negative ? -pico : pico;
  const whole = abs / PICO_PER_USD;
  const fraction = (abs % PICO_PER_USD).toString().padStart(USD_FRACTION_DIGITS, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction === '' ? '' : `.${fraction}`}`;
}

/** Float USD of a pico-USD amount, for metrics and spans only (never summed into money). */
export function picoToUsd(pico: bigint): number {
  if (pico <= MAX_SAFE && pico >= -MAX_SAFE) return Number(pico) / 1e12;
  // Whole and fractional parts separately keep full double precision for large totals.
  return Number(pico / PICO_PER_USD) + Number(pico % PICO_PER_USD) / 1e12;
}

function parseScaled(decimal: string, digits: number, what: string, allowNegative: boolean): bigint {
  if (typeof decimal !== 'string') throw new RangeError(`${what} must be a decimal string, got ${typeof decimal}`);
  const match = DECIMAL.exec(decimal);
  if (!match) throw new RangeError(`${what} "${decimal}" is not a plain decimal number (expected digits with an optional "." fraction, e.g. "2.50")`);
  const [, sign = '', whole = '0', fraction = ''] = match;
  if (sign === '-' && !allowNegative) throw new RangeError(`${what} "${decimal}" is negative`);
  if (fraction.length > digits) {
    throw new RangeError(`${what} "${decimal}" has ${fraction.length} fractional digits; at most ${digits} are allowed`);
  }
  const value = BigInt(whole) * 10n ** BigInt(digits) + BigInt(fraction.padEnd(digits, '0') || '0');
  return sign === '-' ? -value : value;
}
