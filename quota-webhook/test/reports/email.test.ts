/**
 * The email destination against a real local SMTP server (`smtp-server`)
 * with authentication: the message reaches the recipients with the subject,
 * the totals in its body and the report attached byte for byte. SMTP comes
 * from the `TOKENMETER_SMTP_*` configuration only.
 */
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig, loadConfig, ConfigError } from '../../src/index.js';
import type { ScheduleRun } from '../../src/reports/schedules/model.js';
import { NOW, ingest, runReport, seedRecords, startScheduleServer } from './support.js';

interface Delivery {
  from: string;
  to: string[];
  user: string | undefined;
  mail: ParsedMail;
}

const USER = 'reports@acme.example';
const PASSWORD = 'smtp-secret';
const received: Delivery[] = [];
let rejectNext = 0;
let smtp: SMTPServer;
let port: number;
let t: Awaited<ReturnType<typeof startScheduleServer>>;

beforeAll(async () => {
  smtp = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    onAuth(auth, _session, cb) {
      if (auth.username === USER && auth.password === PASSWORD) cb(null, { user: auth.username });
      else cb(new Error('invalid credentials'));
    },
    onData(stream, session, cb) {
      if (rejectNext > 0) {
        rejectNext--;
        stream.resume();
        stream.on('end', () => cb(Object.assign(new Error('try again later'), { responseCode: 451 })));
        return;
      }
      simpleParser(stream).then((mail) => {
        received.push({
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address), user: session.user as string | undefined, mail,
        });
        cb();
      }, cb);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  port = (smtp.server.address() as { port: number }).port;
  t = await startScheduleServer({
    now: NOW,
    reports: {
      smtp: { host: '127.0.0.1', port, secure: false, startTls: 'off', rejectUnauthorized: true, user: USER, password: PASSWORD, from: 'tokenmeter <reports@acme.example>' },
    },
  });
  await ingest(t, seedRecords({ from: Date.parse('2026-03-01T00:00:00Z'), to: Date.parse('2026-03-20T00:00:00Z'), count: 200 }));
});

afterAll(async () => {
  await t?.stop();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

describe('email destination', () => {
  it('sends the report as an attachment to the recipients, authenticated with the configured credentials', async () => {
    const report = { kind: 'usage', format: 'pdf', group_by: ['department'], title: 'ACME LLM spend' };
    const created = await t.json('POST', '/api/v1/report-schedules', {
      name: 'CFO monthly', cron: '0 7 1 * *', timezone: 'Europe/Berlin', report,
      destinations: [{ type: 'email', to: ['cfo@acme.example', 'finops@acme.example'], cc: ['audit@acme.example'] }],
    });
    expect(created.status).toBe(201);
    const run = (await t.json('POST', `/api/v1/report-schedules/${created.body.id}/run?wait=true`)).body as ScheduleRun;
    expect(run.status).toBe('succeeded');
    expect(run.destinations[0]).toMatchObject({ type: 'email', target: 'cfo@acme.example, finops@acme.example, audit@acme.example', status: 'delivered', attempts: 1 });
    expect(received).toHaveLength(1);
    const d = received[0]!;
    expect(d.user).toBe(USER);
    expect(d.from).toBe('reports@acme.example');
    expect(d.to.sort()).toEqual(['audit@acme.example', 'cfo@acme.example', 'finops@acme.example']);
    expect(d.mail.subject).toBe('tokenmeter report: CFO monthly (ACME LLM spend, 2026-03-01 00:00 to 2026-03-20 12:00 UTC (month_to_date))');
    expect(d.mail.headers.get('x-tokenmeter-run')).toBe(run.id);
    const direct = (await runReport(t, report)).body;
    expect(d.mail.attachments).toHaveLength(1);
    const a = d.mail.attachments[0]!;
    expect(a.filename).toBe('tokenmeter-usage-2026-03-01_2026-03-20.pdf');
    expect(a.contentType).toBe('application/pdf');
    expect(a.content.equals(direct)).toBe(true);
    const json = JSON.parse((await runReport(t, { ...report, format: 'json' })).body.toString());
    expect(d.mail.text).toContain(`Total cost (USD): ${json.summary.totals.cost_usd}`);
    expect(d.mail.text).toContain(`Requests: ${json.summary.totals.requests}`);
  });

  it('retries a temporary SMTP refusal (4xx) and uses the subject given', async () => {
    received.length = 0;
    rejectNext = 1;
    const created = await t.json('POST', '/api/v1/report-schedules', {
      name: 'daily', cron: '0 7 * * *', report: { kind: 'usage', format: 'csv' }, destinations: [{ type: 'email', to: ['ops@acme.example'], subject: 'LLM spend today' }],
    });
    const run = (await t.json('POST', `/api/v1/report-schedules/${created.body.id}/run?wait=true`)).body as ScheduleRun;
    expect(run.destinations[0]).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(received.map((r) => r.mail.subject)).toEqual(['LLM spend today']);
  });
});

describe('SMTP configuration', () => {
  it('comes from TOKENMETER_SMTP_* and is checked at start-up', () => {
    const c = loadConfig({ TOKENMETER_SMTP_HOST: 'smtp.acme.example', TOKENMETER_SMTP_FROM: 'tokenmeter@acme.example', TOKENMETER_SMTP_USER: 'u', TOKENMETER_SMTP_PASSWORD: 'p' });
    expect(c.reports.smtp).toEqual({ host: 'smtp.acme.example', port: 587, secure: false, startTls: 'required', rejectUnauthorized: true, user: 'u', password: 'p', from: 'tokenmeter@acme.example' });
    expect(loadConfig({ TOKENMETER_SMTP_HOST: 'h', TOKENMETER_SMTP_FROM: 'f@x', TOKENMETER_SMTP_SECURE: 'true' }).reports.smtp?.port).toBe(465);
    expect(defaultConfig().reports.smtp).toBeUndefined();
    expect(() => loadConfig({ TOKENMETER_SMTP_HOST: 'h' })).toThrow(ConfigError);
    expect(() => loadConfig({ TOKENMETER_SMTP_HOST: 'h', TOKENMETER_SMTP_FROM: 'f@x', TOKENMETER_SMTP_USER: 'u' })).toThrow(/TOKENMETER_SMTP_PASSWORD/);
    expect(() => loadConfig({ TOKENMETER_SMTP_HOST: 'h', TOKENMETER_SMTP_FROM: 'f@x', TOKENMETER_SMTP_STARTTLS: 'maybe' })).toThrow(/TOKENMETER_SMTP_STARTTLS/);
  });
});
