/**
 * The email destination: one message through the configured SMTP server
 * (nodemailer) to the schedule's recipients, with the report attached and its
 * totals in the body. Server, port, TLS and credentials come from
 * `TOKENMETER_SMTP_*` only. Temporary failures (connection errors, SMTP 4xx)
 * are retried with back-off; 5xx answers are final.
 */
import type { Transporter } from 'nodemailer';
import type { SmtpConfig } from '../config.js';
import { AttemptError, withRetries, type RetryOptions } from './retry.js';
import type { DeliveryContext, DeliveryResult } from './types.js';

export interface EmailSpec {
  to: readonly string[];
  cc?: readonly string[];
  subject?: string;
}

/** nodemailer is loaded on first use (a control plane that sends no email never pays for it). */
export async function smtpTransport(smtp: SmtpConfig): Promise<Transporter> {
  const { createTransport } = await import('nodemailer');
  return createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: !smtp.secure && smtp.startTls === 'required',
    ignoreTLS: !smtp.secure && smtp.startTls === 'off',
    tls: { rejectUnauthorized: smtp.rejectUnauthorized },
    ...(smtp.user !== undefined ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
  });
}

export class EmailDestination {
  constructor(
    private readonly _smtp: SmtpConfig,
    private readonly _spec: EmailSpec,
    private readonly _retry: RetryOptions,
  ) {}

  async deliver(ctx: DeliveryContext): Promise<DeliveryResult> {
    const transport = await smtpTransport(this._smtp);
    try {
      const subject = this._spec.subject ?? `tokenmeter report: ${ctx.scheduleName} (${ctx.description})`;
      const text = [
        `${ctx.description}`,
        '',
        ...ctx.totals,
        '',
        `The report is attached (${ctx.file.filename}, ${ctx.file.size} bytes, SHA-256 ${ctx.file.sha256}).`,
        `Schedule ${ctx.scheduleId}, run ${ctx.runId}.`,
      ].join('\n');
      const { value, attempts } = await withRetries(this._retry, async () => {
        try {
          return await transport.sendMail({
            from: this._smtp.from,
            to: [...this._spec.to],
            ...(this._spec.cc ? { cc: [...this._spec.cc] } : {}),
            subject,
            text,
            headers: { 'X-Tokenmeter-Schedule': ctx.scheduleId, 'X-Tokenmeter-Run': ctx.runId },
            messageId: `<${ctx.idempotencyKey.replace(/[^A-Za-z0-9.-]/g, '.')}@tokenmeter>`,
            attachments: [{ filename: ctx.file.filename, path: ctx.file.path, contentType: ctx.file.contentType }],
          });
        } catch (error) {
          const code = (error as { responseCode?: number }).responseCode;
          throw new AttemptError(`SMTP ${this._smtp.host}:${this._smtp.port}: ${(error as Error).message}`, code === undefined || code < 500);
        }
      });
      return { attempts, detail: `accepted by ${this._smtp.host}: ${value.messageId}` };
    } finally {
      transport.close();
    }
  }
}
