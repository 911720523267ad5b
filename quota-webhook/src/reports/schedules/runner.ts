/**
 * One run of a schedule: render the report once into a spool file (measured
 * and hashed), hand that file to each destination in turn, record each
 * delivery in the run as it finishes, then remove the spool file. The run
 * ends `succeeded` (every destination delivered), `partial` (some) or
 * `failed` (none, or the report itself failed).
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { formatUsd } from '@tokenmeter/instrumentation/pricing';
import type { ReportsConfig } from '../config.js';
import { FORMAT_FILES } from '../definition.js';
import { EmailDestination } from '../destinations/email.js';
import { FolderDestination } from '../destinations/folder.js';
import type { DeliveryContext, DeliveryResult, ReportFile, Sleep } from '../destinations/types.js';
import { DeliveryError } from '../destinations/types.js';
import { WebhookDestination } from '../destinations/webhook.js';
import { formatInstant, formatLocal, periodLabel } from '../periods.js';
import { prepareReport, writeReport, type ReportEnvironment } from '../run.js';
import type { DeliveryRecord, DestinationSpec, Schedule, ScheduleRun } from './model.js';
import type { ScheduleRepository } from './repository.js';

export interface RunnerOptions {
  env: ReportEnvironment;
  config: ReportsConfig;
  repo: ScheduleRepository;
  /** Identifies this process in run records. */
  replica: string;
  sleep: Sleep;
  onError: (error: unknown) => void;
}

interface Deliverer {
  deliver(ctx: DeliveryContext): Promise<DeliveryResult>;
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'report';
}

export function describeTarget(d: DestinationSpec): string {
  switch (d.type) {
    case 'folder': return d.path === '' ? '.' : d.path;
    case 'webhook': return d.url;
    case 'email': return [...d.to, ...(d.cc ?? [])].join(', ');
  }
}

/** The folder file name: the template with its placeholders filled (default `{schedule}-{run_time}.{ext}`). */
export function folderFilename(template: string | undefined, v: { schedule: string; kind: string; periodStart: string; periodEnd: string; runTime: string; run: string; ext: string }): string {
  const values: Record<string, string> = {
    schedule: slug(v.schedule), kind: v.kind, period_start: v.periodStart, period_end: v.periodEnd, run_time: v.runTime, run: v.run, ext: v.ext,
  };
  return (template ?? '{schedule}-{run_time}.{ext}').replace(/\{([a-z_]+)\}/g, (_m, k: string) => values[k] ?? '');
}

async function hashFile(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export class ScheduleRunner {
  constructor(private readonly _o: RunnerOptions) {}

  /** A new run record (not yet stored). */
  newRun(s: Schedule, trigger: ScheduleRun['trigger'], now: number, tick: number | null, missed: number): ScheduleRun {
    return {
      id: `${new Date(now).toISOString().replace(/[-:.]/g, '')}-${randomUUID().slice(0, 8)}`,
      schedule_id: s.id, trigger, scheduled_for: tick === null ? null : new Date(tick).toISOString(), missed_ticks: missed,
      started_at: new Date(now).toISOString(), finished_at: null, status: 'running', error: null, filename: null, size_bytes: null,
      sha256: null, rows: null, period: null, replica: this._o.replica,
      destinations: s.destinations.map((d) => ({ type: d.type, target: describeTarget(d), status: 'pending', attempts: 0, error: null, delivered_at: null, detail: null })),
    };
  }

  private _destination(d: DestinationSpec, filename: string): Deliverer {
    const c = this._o.config;
    const retry = { attempts: c.webhook.attempts, backoffMillis: c.webhook.backoffMillis, sleep: this._o.sleep };
    switch (d.type) {
      case 'folder': return new FolderDestination(c.folderRoot, d.path, filename);
      case 'webhook': return new WebhookDestination(d.url, { ...retry, timeoutMillis: c.webhook.timeoutMillis, ...(c.webhook.secret !== undefined ? { secret: c.webhook.secret } : {}) });
      case 'email': {
        if (!c.smtp) throw new DeliveryError('email is not configured: set TOKENMETER_SMTP_HOST and TOKENMETER_SMTP_FROM', 0);
        return new EmailDestination(c.smtp, d, retry);
      }
    }
  }

  /** Runs `run` (already stored as `running`) to its end; never throws (failures are recorded in the run). */
  async execute(s: Schedule, run: ScheduleRun): Promise<ScheduleRun> {
    const { env, repo } = this._o;
    const ext = FORMAT_FILES[s.report.format].extension;
    const spool = join(this._o.config.spoolDir, `${run.id}.${ext}.part`);
    const save = (): Promise<void> => repo.putRun(run).catch(this._o.onError);
    try {
      const now = env.clock();
      const reference = run.scheduled_for === null ? now : Date.parse(run.scheduled_for);
      const prepared = prepareReport(env, s.report, now, reference);
      const p = prepared.report.meta.period;
      run.period = { from: formatInstant(p.from, p.timezone), to: formatInstant(p.to, p.timezone), timezone: p.timezone };
      await mkdir(this._o.config.spoolDir, { recursive: true });
      const out = createWriteStream(spool);
      try {
        await writeReport(env, prepared, out);
        out.end();
        await finished(out);
      } catch (error) {
        out.destroy();
        throw error;
      }
      const summary = await prepared.report.summary();
      const file: ReportFile = { path: spool, filename: prepared.filename, contentType: prepared.contentType, size: (await stat(spool)).size, sha256: await hashFile(spool) };
      run.rows = summary.rows;
      run.size_bytes = file.size;
      run.sha256 = file.sha256;
      const tz = p.timezone;
      const runTime = formatLocal(reference, s.timezone).replace(/[-:]/g, '').replace(' ', '-');
      const folderName = (template: string | undefined): string => folderFilename(template, {
        schedule: s.name, kind: s.report.kind, periodStart: formatLocal(p.from, tz).slice(0, 10), periodEnd: formatLocal(Math.max(p.from, p.to - 1), tz).slice(0, 10),
        runTime, run: run.id, ext,
      });
      run.filename = prepared.filename;
      await save();
      const ctx: DeliveryContext = {
        file, scheduleId: s.id, scheduleName: s.name, runId: run.id, idempotencyKey: `${s.id}:${run.id}`,
        description: `${prepared.report.meta.title}, ${periodLabel(p)}`,
        totals: summary.figures.map((f) => `${f.label}: ${f.value === null ? '-' : f.type === 'usd' ? formatUsd(f.value as bigint) : String(f.value)}`),
      };
      for (let i = 0; i < s.destinations.length; i++) {
        const d = s.destinations[i]!;
        const record: DeliveryRecord = run.destinations[i]!;
        try {
          const result = await this._destination(d, d.type === 'folder' ? folderName(d.filename) : prepared.filename).deliver(ctx);
          Object.assign(record, { status: 'delivered', attempts: result.attempts, detail: result.detail, delivered_at: new Date(env.clock()).toISOString(), error: null });
        } catch (error) {
          Object.assign(record, { status: 'failed', attempts: error instanceof DeliveryError ? error.attempts : 1, error: (error as Error).message });
        }
        await save();
      }
      const delivered = run.destinations.filter((d) => d.status === 'delivered').length;
      run.status = delivered === run.destinations.length ? 'succeeded' : delivered === 0 ? 'failed' : 'partial';
      if (run.status !== 'succeeded') run.error = `${run.destinations.length - delivered} of ${run.destinations.length} destinations failed`;
    } catch (error) {
      run.status = 'failed';
      run.error = (error as Error).message;
      for (const d of run.destinations) if (d.status === 'pending') d.status = 'failed';
    } finally {
      await rm(spool, { force: true }).catch(() => undefined);
    }
    run.finished_at = new Date(env.clock()).toISOString();
    await save();
    await repo.prune(s.id, this._o.config.runHistory).catch(this._o.onError);
    return run;
  }
}
