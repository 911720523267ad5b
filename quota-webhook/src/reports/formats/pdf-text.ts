/** Text helpers for the PDF: the standard fonts' character set, fitting text into a width, chart value labels. */
import { picoToUsd } from '@tokenmeter/instrumentation/pricing';

/** The PDF uses the standard Helvetica fonts (WinAnsi): other characters print as `?`. */
export function pdfSafe(s: string): string {
  return s.replace(/[^\x20-\x7E\xA0-\xFF]/g, '?');
}

export interface Measure {
  widthOfString(s: string): number;
}

/** `s` shortened with `...` until it fits `width` at the current font. */
export function fit(doc: Measure, s: string, width: number): string {
  if (doc.widthOfString(s) <= width) return s;
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (doc.widthOfString(`${s.slice(0, mid)}...`) <= width) lo = mid;
    else hi = mid - 1;
  }
  return `${s.slice(0, lo)}...`;
}

/** A short money label for chart bars and axes (display only; exact amounts are in the totals and the table). */
export function shortUsd(pico: bigint): string {
  const v = picoToUsd(pico);
  const abs = Math.abs(v);
  if (abs === 0) return '0';
  if (abs >= 1_000_000) return `${(v / 1_000_000).toFixed(2)}M`;
  if (abs >= 10_000) return `${(v / 1000).toFixed(1)}k`;
  if (abs >= 1) return v.toFixed(2);
  return String(Number(v.toPrecision(3)));
}
