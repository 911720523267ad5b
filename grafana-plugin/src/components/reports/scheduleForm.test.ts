import { emptySchedule, validateSchedule } from './scheduleForm';

describe('validateSchedule', () => {
  test('a valid schedule becomes the body POST /report-schedules takes, with every destination given', () => {
    const f = {
      ...emptySchedule('Europe/Berlin'),
      name: 'Monthly PDF',
      folder: '/reports',
      webhook: 'https://hooks.example/finance',
      emails: 'a@x.org, b@y.org',
    };
    expect(validateSchedule(f)).toEqual({
      ok: true,
      body: {
        name: 'Monthly PDF',
        cron: '0 7 1 * *',
        timezone: 'Europe/Berlin',
        report: { kind: 'chargeback', format: 'pdf', period: 'last_month' },
        destinations: [
          { type: 'folder', path: '/reports' },
          { type: 'webhook', url: 'https://hooks.example/finance' },
          { type: 'email', to: ['a@x.org', 'b@y.org'] },
        ],
      },
    });
  });

  test('names every bad field', () => {
    const f = {
      ...emptySchedule('Nowhere/City'),
      cron: '0 7 * *',
      kind: 'audit' as const,
      format: 'focus' as const,
      webhook: 'ftp://x',
      emails: 'not-an-address',
    };
    expect(validateSchedule(f)).toEqual({
      ok: false,
      errors: {
        cron: 'Five cron fields: minute hour day-of-month month day-of-week, e.g. "0 7 1 * *"',
        timezone: 'Use an IANA time zone such as "Europe/Berlin" or "UTC"',
        format: 'FOCUS is for usage and chargeback reports',
        webhook: 'An http:// or https:// URL',
        emails: 'Comma-separated e-mail addresses',
      },
    });
  });

  test('needs a destination', () => {
    const v = validateSchedule(emptySchedule('UTC'));
    expect(!v.ok && v.errors.destinations).toBe(
      'Give at least one destination: a folder, a webhook or e-mail recipients'
    );
  });

  test('accepts cron steps, ranges and lists', () => {
    expect(validateSchedule({ ...emptySchedule('UTC'), cron: '*/15 8-18 * 1,6 1-5', folder: '/r' }).ok).toBe(true);
  });
});
