import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary } from './binaries.js';
import { freePort } from './ports.js';
import { awaitReady, startProcess, type ManagedProcess } from './process.js';

export interface PrometheusOptions {
  /** prometheus.yml content; `rule_files` may name files written through `files`. */
  config: string;
  /** Extra files written beside the config (name → content), e.g. rule files. */
  files?: Record<string, string>;
  /** Extra command-line flags. `--rules.alert.resend-delay=1s` is always set. */
  args?: string[];
}

export interface RunningPrometheus {
  url: string;
  port: number;
  dir: string;
  process: ManagedProcess;
  /** Instant query; returns the `data.result` vector. */
  query(promql: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  stop(): Promise<void>;
}

/** Starts the real Prometheus (Debian `prometheus`) on a free loopback port with its own data dir. */
export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  const binary = findBinary(['prometheus'], 'prometheus');
  const dir = mkdtempSync(join(tmpdir(), 'tokenmeter-prom-'));
  writeFileSync(join(dir, 'prometheus.yml'), options.config);
  for (const [name, content] of Object.entries(options.files ?? {})) writeFileSync(join(dir, name), content);
  const port = await freePort();
  const proc = startProcess(
    binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--rules.alert.resend-delay=1s',
      ...(options.args ?? []),
    ],
    { cwd: dir },
  );
  const url = `http://127.0.0.1:${port}`;
  await awaitReady(proc, `${url}/-/ready`, 'prometheus');
  return {
    url,
    port,
    dir,
    process: proc,
    async query(promql) {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = (await response.json()) as { status: string; error?: string; data?: { result: [] } };
      if (body.status !== 'success') throw new Error(`query failed: ${body.error ?? response.status}: ${promql}`);
      return body.data?.result ?? [];
    },
    async stop() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A scrape job for targets on loopback, at `intervalSeconds`. */
export function scrapeConfig(jobs: Array<{ job: string; targets: string[]; intervalSeconds?: number; path?: string }>, extra = ''): string {
  const lines = ['global:', '  scrape_interval: 1s', '  evaluation_interval: 1s', 'scrape_configs:'];
  for (const job of jobs) {
    lines.push(`  - job_name: ${JSON.stringify(job.job)}`);
    lines.push(`    scrape_interval: ${job.intervalSeconds ?? 1}s`);
    if (job.path !== undefined) lines.push(`    metrics_path: ${JSON.stringify(job.path)}`);
    lines.push('    static_configs:', `      - targets: ${JSON.stringify(job.targets)}`);
  }
  return `${lines.join('\n')}\n${extra}`;
}
