/** The report schedule form, validated before sending (cron with 5 fields, IANA zone, at least one destination). */
import { REPORT_FORMATS, REPORT_KINDS, REPORT_PERIODS, type ReportFormat, type ReportKind } from '../../api/constants';
import type { Destination, ReportSchedule } from '../../api/reports';
import { isValidTimeZone } from '../../utils/time';

export interface ScheduleFormValues {
  name: string;
  cron: string;
  timezone: string;
  kind: ReportKind;
  format: ReportFormat;
  period: string;
  folder: string;
  webhook: string;
  emails: string;
}

export type ScheduleErrors = Partial<Record<keyof ScheduleFormValues | 'destinations', string>>;

export function emptySchedule(timezone: string): ScheduleFormValues {
  return {
    name: '',
    cron: '0 7 1 * *',
    timezone,
    kind: 'chargeback',
    format: 'pdf',
    period: 'last_month',
    folder: '',
    webhook: '',
    emails: '',
  };
}

const CRON_FIELD = /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function validateSchedule(
  f: ScheduleFormValues
): { ok: true; body: Omit<ReportSchedule, 'id'> } | { ok: false; errors: ScheduleErrors } {
  const errors: ScheduleErrors = {};
  const fields = f.cron.trim().split(/\s+/);
  if (fields.length !== 5 || !fields.every((x) => CRON_FIELD.test(x))) {
    errors.cron = 'Five cron fields: minute hour day-of-month month day-of-week, e.g. "0 7 1 * *"';
  }
  if (!isValidTimeZone(f.timezone.trim())) {
    errors.timezone = 'Use an IANA time zone such as "Europe/Berlin" or "UTC"';
  }
  if (!REPORT_KINDS.includes(f.kind)) {
    errors.kind = `One of ${REPORT_KINDS.join(', ')}`;
  }
  if (!REPORT_FORMATS.includes(f.format)) {
    errors.format = `One of ${REPORT_FORMATS.join(', ')}`;
  } else if (f.format === 'focus' && f.kind !== 'usage' && f.kind !== 'chargeback') {
    errors.format = 'FOCUS is for usage and chargeback reports';
  }
  if (!(REPORT_PERIODS as readonly string[]).includes(f.period)) {
    errors.period = `One of ${REPORT_PERIODS.join(', ')}`;
  }
  const destinations: Destination[] = [];
  if (f.folder.trim()) {
    destinations.push({ type: 'folder', path: f.folder.trim() });
  }
  if (f.webhook.trim()) {
    try {
      const u = new URL(f.webhook.trim());
      if (u.protocol !== 'http:' && u.protocol !== 'https:') {
        throw new Error('scheme');
      }
      destinations.push({ type: 'webhook', url: f.webhook.trim() });
    } catch {
      errors.webhook = 'An http:// or https:// URL';
    }
  }
  const emails = f.emails.split(/[,\s]+/).filter(Boolean);
  if (emails.some((e) => !EMAIL.test(e))) {
    errors.emails = 'Comma-separated e-mail addresses';
  } else if (emails.length > 0) {
    destinations.push({ type: 'email', to: emails });
  }
  if (destinations.length === 0 && !errors.webhook && !errors.emails) {
    errors.destinations = 'Give at least one destination: a folder, a webhook or e-mail recipients';
  }
  if (Object.keys(errors).length > 0) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    body: {
      ...(f.name.trim() ? { name: f.name.trim() } : {}),
      cron: fields.join(' '),
      timezone: f.timezone.trim(),
      report: { kind: f.kind, format: f.format, period: f.period },
      destinations,
    },
  };
}
