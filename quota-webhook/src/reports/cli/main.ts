#!/usr/bin/env node
/**
 * `tokenmeter report`: runs a report on a control plane (`POST /api/v1/reports`)
 * and writes the file, for scripts and cron. The file appears complete or not
 * at all (temporary file, then rename). Exit codes: 0 written, 1 the control
 * plane refused or failed (its error message is printed), 2 bad usage.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { GRANULARITIES, PERIOD_PRESETS, REPORT_FORMATS, REPORT_KINDS, USAGE_DIMENSIONS } from '../definition.js';
import { writeAtomically } from '../destinations/folder.js';

interface ReportOptions {
  url?: string;
  token?: string;
  definition?: string;
  kind?: string;
  format?: string;
  period?: string;
  from?: string;
  to?: string;
  timezone?: string;
  title?: string;
  groupBy?: string[];
  granularity?: string;
  filter: Record<string, string>;
  scope?: string;
  subject?: string;
  horizon?: string;
  out?: string;
}

/** Bad usage found by the action itself (exit 2). */
class UsageError extends Error {
  override name = 'UsageError';
}

const FILTER_KEYS = ['org', 'department', 'user', 'feature', 'project', 'provider', 'model', 'investigation', 'session', 'outcome'];

function filterOption(value: string, previous: Record<string, string>): Record<string, string> {
  const i = value.indexOf('=');
  const key = i > 0 ? value.slice(0, i) : '';
  if (!FILTER_KEYS.includes(key) || i === value.length - 1) throw new InvalidArgumentError(`expected key=value with key one of ${FILTER_KEYS.join(', ')}`);
  return { ...previous, [key]: value.slice(i + 1) };
}

function listOption(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** The request body: the definition file (if any), then the flags on top. */
export function definitionOf(o: ReportOptions): Record<string, unknown> {
  const def: Record<string, unknown> = o.definition ? (JSON.parse(readFileSync(o.definition, 'utf8')) as Record<string, unknown>) : {};
  const set = (k: string, v: unknown): void => {
    if (v !== undefined) def[k] = v;
  };
  set('kind', o.kind);
  set('format', o.format);
  if (o.from !== undefined || o.to !== undefined) {
    if (o.from === undefined || o.to === undefined) throw new UsageError('--from and --to go together');
    def.period = { from: o.from, to: o.to };
  } else set('period', o.period);
  set('timezone', o.timezone);
  set('title', o.title);
  set('group_by', o.groupBy);
  set('granularity', o.granularity);
  if (Object.keys(o.filter).length > 0) def.filters = { ...((def.filters as object | undefined) ?? {}), ...o.filter };
  set('scope', o.scope);
  set('subject', o.subject);
  set('horizon', o.horizon);
  if (def.kind === undefined) throw new UsageError('--kind (or a definition file with "kind") is required');
  return def;
}

function filenameOf(disposition: string | null, fallback: string): string {
  const m = disposition ? /filename="([^"]+)"/.exec(disposition) : null;
  return m ? basename(m[1]!) : fallback;
}

async function runReport(o: ReportOptions): Promise<number> {
  const url = o.url ?? process.env.TOKENMETER_CONTROL_PLANE_URL;
  if (!url) throw new UsageError('--url (or TOKENMETER_CONTROL_PLANE_URL) is required');
  const token = o.token ?? process.env.TOKENMETER_API_TOKEN;
  const body = definitionOf(o);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(new URL('/api/v1/reports', url), { method: 'POST', headers, body: JSON.stringify(body) });
  } catch (error) {
    process.stderr.write(`tokenmeter report: cannot reach ${url}: ${(error as Error).message}\n`);
    return 1;
  }
  if (!res.ok || !res.body) {
    const text = await res.text();
    let message = text;
    try {
      const e = (JSON.parse(text) as { error?: { message?: string; details?: Array<{ path: string; message: string }> } }).error;
      if (e?.message) message = [e.message, ...(e.details ?? []).map((d) => `  ${d.path || '(body)'}: ${d.message}`)].join('\n');
    } catch {
      // not JSON: print as is
    }
    process.stderr.write(`tokenmeter report: HTTP ${res.status}: ${message}\n`);
    return 1;
  }
  const source = Readable.fromWeb(res.body as ReadableStream);
  if (o.out === '-') {
    for await (const chunk of source) process.stdout.write(chunk as Buffer);
    return 0;
  }
  const target = o.out ? resolve(o.out) : resolve(filenameOf(res.headers.get('content-disposition'), `tokenmeter-report.${String(body.format ?? 'csv')}`));
  try {
    await writeAtomically(dirname(target), basename(target), source);
  } catch (error) {
    process.stderr.write(`tokenmeter report: the report did not arrive complete, nothing written: ${(error as Error).message}\n`);
    return 1;
  }
  process.stderr.write(`${target}\n`);
  return 0;
}

export function program(): Command {
  const cli = new Command('tokenmeter').description('tokenmeter command line').exitOverride();
  cli.command('report')
    .description('Run a report on a control plane and write the file')
    .option('--url <url>', 'control plane URL (default $TOKENMETER_CONTROL_PLANE_URL)')
    .option('--token <token>', 'bearer token with the read role (default $TOKENMETER_API_TOKEN)')
    .option('--definition <file>', 'a JSON report definition (the flags override its fields)')
    .addOption(new Option('--kind <kind>', 'report kind').choices(REPORT_KINDS))
    .addOption(new Option('--format <format>', 'file format (default csv)').choices(REPORT_FORMATS))
    .addOption(new Option('--period <preset>', 'relative period (default month_to_date)').choices(PERIOD_PRESETS))
    .option('--from <date>', 'period start: YYYY-MM-DD (midnight in --timezone) or RFC 3339')
    .option('--to <date>', 'period end (exclusive)')
    .option('--timezone <tz>', 'IANA time zone of the period and buckets (default UTC)')
    .option('--title <title>', 'document title')
    .option('--group-by <dims>', `comma-separated: ${USAGE_DIMENSIONS.join(', ')}`, listOption)
    .addOption(new Option('--granularity <g>', 'usage buckets').choices(GRANULARITIES))
    .addOption(new Option('--filter <key=value>', `repeatable; keys ${FILTER_KEYS.join(', ')}`).argParser(filterOption).default({}, 'none'))
    .option('--scope <scope>', 'analytics scope (chargeback, forecast, recommendations)')
    .option('--subject <subject>', 'analytics subject')
    .option('--horizon <h>', 'forecast horizon: month_end or <N>d')
    .option('-o, --out <file>', 'output file (default: the name the control plane gives, in the current folder; - for stdout)')
    .action(async (o: ReportOptions) => {
      process.exitCode = await runReport(o);
    });
  return cli;
}

async function main(): Promise<void> {
  try {
    await program().parseAsync(process.argv);
  } catch (error) {
    // Thrown by the action, before any request (commander has printed nothing).
    if (error instanceof UsageError || error instanceof SyntaxError) {
      process.stderr.write(`tokenmeter report: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    throw error;
  }
}

await main();
