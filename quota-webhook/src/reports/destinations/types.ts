/** What every destination gets: the finished file on disk and who it is for. */

export interface ReportFile {
  /** The spooled file (complete). */
  path: string;
  /** The name to deliver it under. */
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
}

export interface DeliveryContext {
  file: ReportFile;
  scheduleId: string;
  scheduleName: string;
  runId: string;
  /** The same for every attempt of this run's delivery: receivers drop repeats by it. */
  idempotencyKey: string;
  /** A one-line description of the report (title and period), for email subjects and bodies. */
  description: string;
  /** The report's totals as text lines, for email bodies. */
  totals: readonly string[];
}

export interface DeliveryResult {
  attempts: number;
  detail: string;
}

/** A delivery that failed for good, after `attempts` tries. */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
  constructor(
    message: string,
    readonly attempts: number,
  ) {
    super(message);
  }
}

/** How retries wait; tests pass one that does not sleep. */
export type Sleep = (millis: number) => Promise<void>;

export const realSleep: Sleep = (millis) => new Promise((resolve) => setTimeout(resolve, millis).unref());
