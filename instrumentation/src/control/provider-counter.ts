/**
 * The usage of one provider by one organisation in the current hour and day:
 * the control plane's exact fleet totals (`base`), calls this process
 * finished that those totals do not include yet (`local`), calls that
 * overflowed the pending table and stay counted until their window ends
 * (`sticky`), and the calls in flight.
 */
import type { ProviderLimits } from '../protocol.js';
import type { PendingCall } from './pending-calls.js';
import { LIMIT_WINDOWS, WINDOW_MS, windowStart, windowTotals, type LimitWindow, type PerWindow, type WindowTotal } from './window-total.js';

/** Where a window currently is: aligned on the control plane's anchor. */
interface WindowSpan {
  anchorMs: number;
  startMs: number;
  endMs: number;
}

export class ProviderCounter {
  limits: ProviderLimits = {};
  hasLimits = false;
  /** The current hour and day (anchored on the control plane's hour_start/day_start when known). */
  readonly windows: PerWindow<WindowSpan> = {
    hour: { anchorMs: 0, startMs: Number.NEGATIVE_INFINITY, endMs: Number.NEGATIVE_INFINITY },
    day: { anchorMs: 0, startMs: Number.NEGATIVE_INFINITY, endMs: Number.NEGATIVE_INFINITY },
  };
  /** The control plane's fleet totals, of the windows they were reported for. */
  readonly base = windowTotals();
  /** Local calls not (known to be) in the base, of the current windows. */
  readonly local = windowTotals();
  /** Calls that overflowed the pending table. */
  readonly sticky = windowTotals();
  inflightRequests = 0;
  inflightTokens = 0;
  lastReserveMs = 0;
  /** Average tokens per call, the reservation for a call without an estimate. */
  averageTokens = 0;

  /** Moves the windows to the ones containing `nowMs`; true when they moved (local sums must be recounted). */
  moveWindows(nowMs: number): boolean {
    const { hour, day } = this.windows;
    if (nowMs >= hour.startMs && nowMs < hour.endMs && nowMs >= day.startMs && nowMs < day.endMs) return false;
    hour.startMs = windowStart(nowMs, hour.anchorMs, WINDOW_MS.hour);
    hour.endMs = hour.startMs + WINDOW_MS.hour;
    day.startMs = windowStart(nowMs, day.anchorMs, WINDOW_MS.day);
    day.endMs = day.startMs + WINDOW_MS.day;
    return true;
  }

  /** Makes the windows move at the next roll (after the anchors changed). */
  invalidateWindows(): void {
    for (const window of LIMIT_WINDOWS) this.windows[window].endMs = Number.NEGATIVE_INFINITY;
  }

  /** Start of the `window` (on this counter's anchor) that contains `timeMs`. */
  windowStartOf(window: LimitWindow, timeMs: number): number {
    return windowStart(timeMs, this.windows[window].anchorMs, WINDOW_MS[window]);
  }

  /** Local sums start again from the calls that overflowed the pending table. */
  resetLocal(): void {
    for (const window of LIMIT_WINDOWS) {
      const startMs = this.windows[window].startMs;
      const sticky = this.sticky[window];
      this.local[window].set(startMs, sticky.requestsIn(startMs), sticky.tokensIn(startMs));
    }
  }

  /** Adds a pending call to the local sums; false when its day is over (it counts nowhere any more). */
  addLocal(entry: PendingCall<ProviderCounter>): boolean {
    const hour = entry.hourStartMs;
    const day = entry.dayStartMs;
    if (day !== this.windows.day.startMs) return day > this.windows.day.startMs;
    this.local.day.addIn(day, entry.tokens);
    if (hour === this.windows.hour.startMs) this.local.hour.addIn(hour, entry.tokens);
    return true;
  }

  /** Requests counted in the current `window`: the fleet's plus the local ones. */
  requests(window: LimitWindow): number {
    return window === 'hour' ? requestsIn(this.base.hour, this.local.hour, this.windows.hour) : requestsIn(this.base.day, this.local.day, this.windows.day);
  }

  /** Tokens counted in the current `window`: the fleet's plus the local ones. */
  tokens(window: LimitWindow): number {
    return window === 'hour' ? tokensIn(this.base.hour, this.local.hour, this.windows.hour) : tokensIn(this.base.day, this.local.day, this.windows.day);
  }
}

// Named (`.hour`, `.day`) rather than keyed access on the per-call path: the limit check runs before every call.
function requestsIn(base: WindowTotal, local: WindowTotal, window: WindowSpan): number {
  return base.requestsIn(window.startMs) + local.requestsIn(window.startMs);
}

function tokensIn(base: WindowTotal, local: WindowTotal, window: WindowSpan): number {
  return base.tokensIn(window.startMs) + local.tokensIn(window.startMs);
}
