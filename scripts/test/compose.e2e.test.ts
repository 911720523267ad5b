// docker-compose.yml is checked offline (no Docker engine here): the file is
// valid for docker-compose, every file it mounts or runs is in the tree, no
// service needs the host network, and its one-shot services do what `npm
// start` does: the same seed (run here against the real control plane) and
// the same Prometheus/Alertmanager configs (checked by promtool and amtool).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findBinary, freePort, startProcess, waitForHttp } from '@tokenmeter/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEMO_ORG, DIRECTORY, PROVIDERS, QUOTAS } from '../demo/seed.mjs';
import { DEMO_SCRAPE_INTERVAL_SECONDS } from '../demo/monitoring.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'tokenmeter-compose-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A service as `docker-compose config` (1.29) prints it: volumes `source:target[:mode]`, ports `ip:published:target/proto`. */
interface RawService {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  network_mode?: string;
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
}

interface Service extends Omit<RawService, 'volumes'> {
  /** `bind` when the source is a path, else `volume` (a named volume). */
  volumes?: Array<{ type: 'bind' | 'volume'; source: string; target: string }>;
}

function service(raw: RawService): Service {
  const { volumes, ...rest } = raw;
  if (volumes === undefined) return rest;
  return {
    ...rest,
    volumes: volumes.map((v) => {
      const [source = '', target = ''] = v.split(':');
      return { type: source.startsWith('/') || source.startsWith('.') ? 'bind' : 'volume', source, target };
    }),
  };
}

/** `--name value` of a command line. */
function flag(command: string[], name: string): string {
  const i = command.indexOf(`--${name}`);
  if (i < 0 || command[i + 1] === undefined) throw new Error(`no --${name} in ${command.join(' ')}`);
  return command[i + 1]!;
}

describe('docker-compose.yml', () => {
  const binary = findBinary(['docker-compose'], 'docker-compose');
  const resolved = parse(execFileSync(binary, ['config'], { cwd: root, encoding: 'utf8' })) as { services: Record<string, RawService> };
  const services = Object.fromEntries(Object.entries(resolved.services).map(([name, raw]) => [name, service(raw)]));
  const named = (name: string): Service => {
    const found = services[name];
    if (found === undefined) throw new Error(`no service ${name}`);
    return found;
  };

  it('is valid (docker-compose config -q)', () => {
    expect(() => execFileSync(binary, ['config', '-q'], { cwd: root, stdio: 'pipe' })).not.toThrow();
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['alertmanager', 'collector', 'control-plane', 'demo-service', 'grafana', 'mock-llm', 'monitoring-config', 'prometheus', 'seed']));
  });

  it('mounts files that exist and runs entry points the build produces', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const volume of s.volumes ?? []) {
        if (volume.type === 'bind') expect(existsSync(volume.source), `${name}: ${volume.source} (build: npm run build, npm run build -w grafana-plugin)`).toBe(true);
      }
      const script = s.command?.findLast((arg) => /\.(m?js)$/.test(arg));
      if (script !== undefined) expect(existsSync(join(root, script)), `${name}: ${script} (run npm run build)`).toBe(true);
    }
  });

  it('uses published ports on 127.0.0.1, not the host network', () => {
    for (const [name, s] of Object.entries(services)) expect(s.network_mode, name).toBeUndefined();
    const published = Object.fromEntries(Object.entries(services).map(([name, s]) => [name, s.ports ?? []]));
    expect(published).toMatchObject({
      'mock-llm': ['127.0.0.1:8300:8300/tcp'],
      'control-plane': ['127.0.0.1:9470:9470/tcp'],
      collector: ['127.0.0.1:4318:4318/tcp', '127.0.0.1:8889:8889/tcp'],
      'demo-service': ['127.0.0.1:9464:9464/tcp'],
      prometheus: ['127.0.0.1:9090:9090/tcp'],
      alertmanager: ['127.0.0.1:9093:9093/tcp'],
      grafana: ['127.0.0.1:3000:3000/tcp'],
    });
    // A collector that forwards to the ledger and listens beyond loopback must require an OTLP token, and its sender present it.
    expect(named('collector').environment).toMatchObject({ TOKENMETER_COLLECTOR_HOST: '0.0.0.0', TOKENMETER_CONTROL_PLANE_URL: 'http://control-plane:9470' });
    const otlpToken = named('collector').environment?.TOKENMETER_COLLECTOR_OTLP_TOKEN;
    expect(otlpToken).toBeTruthy();
    expect(named('demo-service').environment?.OTEL_EXPORTER_OTLP_HEADERS).toBe(`Authorization=Bearer%20${otlpToken}`);
  });

  it('the one-shot monitoring-config service writes the configs npm start derives: honor_labels on the collector, service-name targets; promtool and amtool accept them', () => {
    const s = named('monitoring-config');
    expect(s.restart).toBe('no');
    expect(s.command?.slice(0, 2)).toEqual(['node', 'scripts/demo/monitoring.mjs']);
    for (const dependent of ['prometheus', 'alertmanager']) {
      expect(named(dependent).depends_on?.['monitoring-config']?.condition, dependent).toBe('service_completed_successfully');
    }
    const command = s.command!;
    const out = join(scratch, 'monitoring');
    const args = command.slice(2);
    args[args.indexOf('--out') + 1] = out;
    execFileSync(process.execPath, ['scripts/demo/monitoring.mjs', ...args], { cwd: root, stdio: 'pipe' });

    const prometheusYml = join(out, 'prometheus', 'prometheus.yml');
    const config = parse(readFileSync(prometheusYml, 'utf8')) as {
      scrape_configs: Array<{ job_name: string; honor_labels?: boolean; scrape_interval: string; static_configs: Array<{ targets: string[] }> }>;
      alerting: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> };
    };
    const jobs = Object.fromEntries(config.scrape_configs.map((job) => [job.job_name, job]));
    expect(jobs['tokenmeter-collector']).toMatchObject({ honor_labels: true, static_configs: [{ targets: ['collector:8889'] }] });
    expect(jobs['tokenmeter-sdk']?.static_configs).toEqual([{ targets: ['demo-service:9464'] }]);
    expect(jobs['tokenmeter-control-plane']?.static_configs).toEqual([{ targets: ['control-plane:9470'] }]);
    for (const job of config.scrape_configs) expect(job.scrape_interval).toBe(`${DEMO_SCRAPE_INTERVAL_SECONDS}s`);
    expect(config.alerting.alertmanagers).toEqual([{ static_configs: [{ targets: ['alertmanager:9093'] }] }]);
    // Where the services read them: the config volume's mount point in each container.
    const prometheusCommand = named('prometheus').command ?? [];
    expect(prometheusCommand).toContain('--config.file=/etc/tokenmeter/prometheus/prometheus.yml');
    expect(named('prometheus').volumes?.find((v) => v.target === '/etc/tokenmeter')?.source).toBe(s.volumes?.find((v) => v.target === flag(command, 'out'))?.source);
    expect(named('alertmanager').command).toContain('--config.file=/etc/tokenmeter/alertmanager/alertmanager.yml');
    expect(named('alertmanager').volumes?.some((v) => v.target === flag(command, 'credentials-file'))).toBe(true);

    execFileSync(findBinary(['promtool'], 'prometheus'), ['check', 'config', prometheusYml], { stdio: 'pipe' });
    const alertmanagerYml = readFileSync(join(out, 'alertmanager', 'alertmanager.yml'), 'utf8');
    expect(alertmanagerYml).toContain('url: http://control-plane:9470/api/v1/alerts/alertmanager');
    expect(alertmanagerYml).toContain(`credentials_file: ${flag(command, 'credentials-file')}`);
    execFileSync(findBinary(['amtool'], 'prometheus-alertmanager'), ['check-config', join(out, 'alertmanager', 'alertmanager.yml')], { stdio: 'pipe' });
  });

  it('the one-shot seed service writes the directory, quotas and providers npm start seeds (run against the real control plane)', async () => {
    const s = named('seed');
    expect(s.restart).toBe('no');
    expect(s.command).toEqual(['node', 'scripts/demo/seed.mjs']);
    expect(s.depends_on?.['control-plane']?.condition).toBe('service_healthy');
    expect(named('demo-service').depends_on?.seed?.condition).toBe('service_completed_successfully');
    // npm start applies the same module.
    expect(readFileSync(join(root, 'scripts', 'start.js'), 'utf8')).toMatch(/import \{[^}]*\bseed\b[^}]*\} from '\.\/demo\/seed\.mjs'/);

    const env = s.environment ?? {};
    const controlPlaneEnv = named('control-plane').environment ?? {};
    expect(env.TOKENMETER_CONTROL_PLANE_URL).toBe('http://control-plane:9470');
    expect(env.TOKENMETER_ADMIN_TOKEN).toBe(controlPlaneEnv.TOKENMETER_ADMIN_TOKEN);

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const controlPlane = startProcess(process.execPath, ['quota-webhook/dist/main.js'], {
      cwd: root,
      env: { ...process.env, ...controlPlaneEnv, TOKENMETER_CONTROL_PLANE_HOST: '127.0.0.1', TOKENMETER_CONTROL_PLANE_PORT: String(port), TOKENMETER_DB_URL: join(scratch, 'seed.db'), TOKENMETER_LOG_LEVEL: 'warn' },
    });
    try {
      // The seed waits for /readyz itself (a container may start first): start it before the control plane is ready.
      const seed = startProcess(process.execPath, s.command!.slice(1), { cwd: root, env: { ...process.env, ...env, TOKENMETER_CONTROL_PLANE_URL: url } });
      expect(await seed.exited, seed.output()).toBe(0);
      await waitForHttp(`${url}/readyz`);
      const read = async (path: string): Promise<unknown> => {
        const response = await fetch(`${url}/api/v1${path}`, { headers: { authorization: `Bearer ${controlPlaneEnv.TOKENMETER_READ_TOKEN}` } });
        expect(response.status, path).toBe(200);
        return response.json();
      };
      const quotas = (await read('/quotas')) as { quotas: Array<Record<string, unknown>> };
      expect(quotas.quotas.map((q) => q.id).sort()).toEqual(QUOTAS.map((q) => q.id).sort());
      for (const quota of QUOTAS) expect(quotas.quotas.find((q) => q.id === quota.id)).toMatchObject(quota);
      for (const [user, department] of Object.entries(DIRECTORY)) {
        expect(await read(`/directory/users/${user}`)).toMatchObject({ department, org: DEMO_ORG });
      }
      const providers = JSON.stringify(await read('/providers'));
      for (const p of PROVIDERS) expect(providers).toContain(`"${p.provider}"`);
    } finally {
      await controlPlane.stop();
    }
  });
});
