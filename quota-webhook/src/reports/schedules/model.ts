/**
 * Report schedules and their runs: a cron expression in an IANA time zone,
 * a report definition, and where the file goes (a folder, an HTTP webhook,
 * email). Only where-to is in the API; how (SMTP server and credentials, the
 * webhook signing key, the folder root) is configuration.
 */
import { isAbsolute, normalize } from 'node:path';
import { z } from 'zod';
import { isValidTimeZone } from '../../quotas/periods.js';
import { reportDefinitionSchema } from '../definition.js';
import { cronProblem } from './cron.js';

/** `{placeholder}`s a folder file name may use. */
export const FILENAME_PLACEHOLDERS = ['schedule', 'kind', 'period_start', 'period_end', 'run_time', 'run', 'ext'] as const;

const relativeFolder = z.string().max(512).refine((p) => {
  if (p === '' || p === '.') return true;
  if (isAbsolute(p) || p.includes('\0')) return false;
  const n = normalize(p);
  return n !== '..' && !n.startsWith('../') && !n.split(/[\\/]/).includes('..');
}, { message: 'must be a relative folder below TOKENMETER_REPORT_FOLDER_ROOT, without ..' });

const filenameTemplate = z.string().min(1).max(200).refine((t) => {
  const names = [...t.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1]);
  if (names.some((n) => !(FILENAME_PLACEHOLDERS as readonly string[]).includes(n!))) return false;
  const literal = t.replace(/\{[a-z_]+\}/g, 'x');
  return !/[\\/\0]/.test(literal) && !literal.startsWith('.');
}, { message: `must be a file name (no / or \\, not starting with .) using only ${FILENAME_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}` });

export const folderDestinationSchema = z.strictObject({
  type: z.literal('folder'),
  /** Below the configured folder root. */
  path: relativeFolder.default(''),
  /** Default `{schedule}-{run_time}.{ext}`. */
  filename: filenameTemplate.optional(),
});

export const webhookDestinationSchema = z.strictObject({
  type: z.literal('webhook'),
  url: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).max(2048),
});

export const emailDestinationSchema = z.strictObject({
  type: z.literal('email'),
  to: z.array(z.email({ error: 'must be an email address' })).min(1, 'needs at least one recipient').max(50),
  cc: z.array(z.email({ error: 'must be an email address' })).max(50).optional(),
  /** Default `tokenmeter report: <schedule name> (<period>)`. */
  subject: z.string().min(1).max(200).optional(),
});

export const destinationSchema = z.discriminatedUnion('type', [folderDestinationSchema, webhookDestinationSchema, emailDestinationSchema], {
  error: 'type must be folder, webhook or email',
});
export type DestinationSpec = z.output<typeof destinationSchema>;

export const scheduleInputSchema = z.strictObject({
  name: z.string().min(1, 'must not be empty').max(200),
  /** Five fields (minute hour day-of-month month day-of-week) or a nickname such as @daily. */
  cron: z.string().min(1).max(200).superRefine((c, ctx) => {
    const problem = cronProblem(c);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  }),
  timezone: z.string().refine(isValidTimeZone, { message: 'must be an IANA time zone such as Europe/Berlin' }).default('UTC'),
  enabled: z.boolean().default(true),
  report: reportDefinitionSchema,
  destinations: z.array(destinationSchema).min(1, 'needs at least one destination').max(10),
});
export type ScheduleInput = z.output<typeof scheduleInputSchema>;

export interface Schedule extends ScheduleInput {
  id: string;
  created_at: string;
  updated_at: string;
}

export const RUN_STATUSES = ['running', 'succeeded', 'partial', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export interface DeliveryRecord {
  type: DestinationSpec['type'];
  /** Where: the folder path, the webhook URL, or the recipients. */
  target: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  error: string | null;
  delivered_at: string | null;
  /** What the destination reported: the file written, the HTTP status, the SMTP message id. */
  detail: string | null;
}

export interface ScheduleRun {
  id: string;
  schedule_id: string;
  /** `schedule`: on its tick; `catch-up`: the one run for ticks missed while no control plane ran; `manual`: `POST …/run`. */
  trigger: 'schedule' | 'catch-up' | 'manual';
  /** The tick this run is for (the reference time of relative periods), or null for manual runs. */
  scheduled_for: string | null;
  /** Ticks that were skipped before this catch-up run. */
  missed_ticks: number;
  started_at: string;
  finished_at: string | null;
  status: RunStatus;
  error: string | null;
  filename: string | null;
  size_bytes: number | null;
  sha256: string | null;
  rows: number | null;
  period: { from: string; to: string; timezone: string } | null;
  destinations: DeliveryRecord[];
  /** The control plane process that ran it. */
  replica: string;
}

/** Scheduler bookkeeping per schedule: the next tick not yet claimed by any replica. */
export interface ScheduleState {
  next_tick_ms: number;
}
