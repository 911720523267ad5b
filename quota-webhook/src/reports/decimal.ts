/** Exact decimal text of a scaled integer (`decimal(2500n, 6)` → `"0.0025"`), trailing zeros dropped. */
export function decimal(value: bigint, scale: number): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const unit = 10n ** BigInt(scale);
  const fraction = (abs % unit).toString().padStart(scale, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${abs / unit}${fraction === '' ? '' : `.${fraction}`}`;
}
