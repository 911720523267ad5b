/**
 * The windows provider limits count in (the hour and the day) and the one
 * total kept per window: requests and tokens, tagged with the window's start
 * so that a total left over from an earlier window reads as zero.
 */

/** A limit window. */
export type LimitWindow = 'hour' | 'day';

/** Both windows, in the order limits are checked. */
export const LIMIT_WINDOWS: readonly LimitWindow[] = ['hour', 'day'];

/** Length of each window. */
export const WINDOW_MS: Readonly<Record<LimitWindow, number>> = { hour: 3_600_000, day: 86_400_000 };

/** One value per window. */
export type PerWindow<T> = Record<LimitWindow, T>;

/** Requests and tokens counted in the window that starts at `startMs`. */
export class WindowTotal {
  startMs = Number.NaN;
  requests = 0;
  tokens = 0;

  /** Starts over at `startMs` with these totals. */
  set(startMs: number, requests = 0, tokens = 0): void {
    this.startMs = startMs;
    this.requests = requests;
    this.tokens = tokens;
  }

  /** Adds one call of `tokens` to the window starting at `startMs`, starting over when that is a different window. */
  addIn(startMs: number, tokens: number): void {
    if (this.startMs !== startMs) this.set(startMs);
    this.requests += 1;
    this.tokens += tokens;
  }

  /** Requests counted in the window starting at `startMs` (0 when this total is of another window). */
  requestsIn(startMs: number): number {
    return this.startMs === startMs ? this.requests : 0;
  }

  /** Tokens counted in the window starting at `startMs` (0 when this total is of another window). */
  tokensIn(startMs: number): number {
    return this.startMs === startMs ? this.tokens : 0;
  }
}

/** A fresh total per window. */
export function windowTotals(): PerWindow<WindowTotal> {
  return { hour: new WindowTotal(), day: new WindowTotal() };
}

/** Start of the window of length `lengthMs`, aligned on `anchorMs`, that contains `timeMs`. */
export function windowStart(timeMs: number, anchorMs: number, lengthMs: number): number {
  return anchorMs + Math.floor((timeMs - anchorMs) / lengthMs) * lengthMs;
}
