/**
 * `POST /reports` and `/report-schedules` as coded against the contract
 * (issue 13; being built). Every field the Reports and Cost allocation pages
 * read is named here.
 */
import { cpGet, cpPostFile, cpWrite } from './controlPlane';

import { REPORT_FORMATS, REPORT_KINDS, REPORT_PERIODS, type ReportFormat, type ReportKind } from './constants';

export { REPORT_FORMATS, REPORT_KINDS, REPORT_PERIODS, type ReportFormat, type ReportKind };

/** A report definition: a relative period name, or `{from, to}`. */
export interface ReportRequest {
  kind: ReportKind;
  format: ReportFormat;
  period: string | { from: string; to: string };
  timezone?: string;
  filters?: Record<string, string>;
  /** Chargeback: the shared-cost method. */
  shared?: string;
}

export interface Destination {
  type: 'folder' | 'webhook' | 'email';
  path?: string;
  url?: string;
  to?: string[];
}

export interface ReportSchedule {
  id: string;
  name?: string;
  cron: string;
  timezone: string;
  report: Omit<ReportRequest, 'timezone'>;
  destinations: Destination[];
  enabled?: boolean;
  next_run?: string | null;
}

export interface ReportRun {
  id: string;
  started_at: string;
  finished_at?: string | null;
  status: 'running' | 'succeeded' | 'failed' | string;
  error?: string | null;
  size_bytes?: number | null;
  delivered?: string[];
}

const EXT: Record<ReportFormat, string> = { csv: 'csv', json: 'json', pdf: 'pdf', focus: 'csv' };

/** Runs a report now; resolves to the file to save. */
export async function runReport(r: ReportRequest): Promise<{ blob: Blob; filename: string }> {
  const { blob, filename } = await cpPostFile('/reports', r);
  return { blob, filename: filename ?? `tokenmeter-${r.kind}${r.format === 'focus' ? '-focus' : ''}.${EXT[r.format]}` };
}

export const listSchedules = () => cpGet<{ schedules: ReportSchedule[] }>('/report-schedules').then((r) => r.schedules);
export const createSchedule = (s: Omit<ReportSchedule, 'id'> & { id?: string }) =>
  cpWrite<ReportSchedule>('POST', '/report-schedules', s);
export const deleteSchedule = (id: string) => cpWrite<void>('DELETE', `/report-schedules/${encodeURIComponent(id)}`);
export const runScheduleNow = (id: string) =>
  cpWrite<ReportRun>('POST', `/report-schedules/${encodeURIComponent(id)}/run`);
export const listRuns = (id: string) =>
  cpGet<{ runs: ReportRun[] }>(`/report-schedules/${encodeURIComponent(id)}/runs`).then((r) => r.runs);

/** Saves a Blob as a file in the browser. */
export function saveFile(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
