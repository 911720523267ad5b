/** Shared by the report tests: a seeded ledger, reading reports back, and the ledger's own total. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { defaultConfig } from '../../src/index.js';
import type { ReportsConfig } from '../../src/reports/config.js';
import type { ScheduleRun } from '../../src/reports/schedules/model.js';
import type { Store } from '../../src/store/types.js';
import { record, startTestServer, type TestServer } from '../helpers.js';

/** 2026-03-20T12:00:00Z: after the seeded month of records, in a month with a DST change in Europe and the US. */
export const NOW = Date.parse('2026-03-20T12:00:00Z');

const MODELS = [
  { provider: 'openai', request_model: 'gpt-4o' },
  { provider: 'anthropic', request_model: 'claude-sonnet-4-5' },
  { provider: 'google', request_model: 'gemini-2.5-flash' },
  { provider: 'openai', request_model: 'mystery-model-x' },
];

/** A deterministic pseudo-random sequence (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SeedOptions {
  from: number;
  to: number;
  count: number;
  seed?: number;
  /** Text attribution values (feature names) to mix in: formula-like and CSV-hostile ones by default. */
  features?: string[];
}

/** Wire records spread over [from, to) across users, departments, features, models (one unpriced), service tiers. */
export function seedRecords(o: SeedOptions): Array<Record<string, unknown>> {
  const r = rng(o.seed ?? 7);
  const features = o.features ?? ['chat', 'search', '=HYPERLINK("http://x")', '+1 day', '-credit', '@sum', 'a, "quoted"\nline'];
  const out: Array<Record<string, unknown>> = [];
  for (let i = 0; i < o.count; i++) {
    const m = MODELS[Math.floor(r() * MODELS.length)]!;
    const time = o.from + Math.floor(((o.to - o.from) * i) / o.count) + Math.floor(r() * 1000);
    const batch = m.provider === 'anthropic' && r() < 0.3;
    out.push(record({
      time: new Date(time).toISOString(),
      ...m,
      org: r() < 0.9 ? 'acme' : 'globex',
      department: ['eng', 'sales', 'support'][Math.floor(r() * 3)],
      user: `user-${Math.floor(r() * 7)}`,
      feature: features[Math.floor(r() * features.length)],
      ...(batch ? { service_tier: 'batch' } : {}),
      tokens: {
        input: 1 + Math.floor(r() * 20_000), output: Math.floor(r() * 3000), cache_read: r() < 0.5 ? Math.floor(r() * 9000) : 0,
        cache_write: m.provider === 'anthropic' && r() < 0.4 ? Math.floor(r() * 4000) : 0, reasoning: r() < 0.2 ? Math.floor(r() * 700) : 0,
      },
    }));
  }
  return out;
}

/** Ingests `records` through the API in batches. */
export async function ingest(t: TestServer, records: Array<Record<string, unknown>>): Promise<void> {
  for (let i = 0; i < records.length; i += 1000) {
    const res = await t.json('POST', '/api/v1/usage', { records: records.slice(i, i + 1000) }, 'ingest');
    if (res.status !== 200) throw new Error(`ingest: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  }
}

/** The exact ledger total (pico-USD) and record count of [from, to), read straight from the store. */
export async function ledgerTotal(store: Store, from: number, to: number, extra: Record<string, string> = {}): Promise<{ pico: bigint; records: number; unpriced: number }> {
  let pico = 0n;
  let records = 0;
  let unpriced = 0;
  let after: { time_ms: number; id: string } | undefined;
  for (;;) {
    const page = await store.queryRecords({ from, to, ...extra }, 1000, after);
    for (const r of page) {
      records++;
      if (r.cost_pico === null) unpriced++;
      else pico += r.cost_pico;
    }
    if (page.length < 1000) break;
    after = { time_ms: page[page.length - 1]!.time_ms, id: page[page.length - 1]!.id };
  }
  return { pico, records, unpriced };
}

/** POSTs a report definition; the body as a Buffer (throws on a non-200). */
export async function runReport(t: TestServer, def: Record<string, unknown>, token: 'read' | 'admin' = 'read'): Promise<{ body: Buffer; headers: Headers }> {
  const res = await t.call('POST', '/api/v1/reports', { token, body: def });
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) throw new Error(`POST /reports: HTTP ${res.status} ${body.toString()}`);
  return { body, headers: res.headers };
}

/** CSV text → records keyed by header (RFC 4180, CRLF, quoted fields). */
export function parseCsv(text: string): Array<Record<string, string>> {
  return parse(text, { columns: true, record_delimiter: '\r\n', relax_column_count: false }) as Array<Record<string, string>>;
}

/** A control plane for schedule tests: folder root and spool in its own temp dir, the scheduler not on a timer (tests call `tick`). */
export async function startScheduleServer(options: { now: number; reports?: Partial<ReportsConfig>; dbUrl?: string; dbFile?: boolean } = { now: NOW }): Promise<TestServer & { folderRoot: string }> {
  const root = mkdtempSync(join(tmpdir(), 'tokenmeter-reports-'));
  const base = defaultConfig().reports;
  const reports: ReportsConfig = {
    ...base, folderRoot: join(root, 'out'), spoolDir: join(root, 'spool'), schedulerEnabled: false,
    webhook: { ...base.webhook, backoffMillis: 0 }, ...options.reports,
  };
  const t = await startTestServer({ now: options.now, dbFile: options.dbFile, config: { reports, ...(options.dbUrl ? { dbUrl: options.dbUrl } : {}) } });
  const stop = t.stop;
  return Object.assign(t, {
    folderRoot: reports.folderRoot,
    stop: async () => {
      await stop();
      rmSync(root, { recursive: true, force: true });
    },
  });
}

/** Ticks the scheduler at `now` and waits for the runs it started. */
export async function tickAt(t: TestServer, now: number): Promise<ScheduleRun[]> {
  t.clock.now = now;
  const runs = await t.cp.reports.scheduler.tick();
  await t.cp.reports.idle();
  return runs;
}
