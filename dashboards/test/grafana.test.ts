import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startPrometheus, waitFor, type RunningPrometheus } from '@tokenmeter/testkit';
import { derivePrometheusConfig, paths, ruleFiles } from '../index.js';

interface Target {
  refId: string;
  expr: string;
  datasource: { type: string; uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets: Target[];
}
interface Dashboard {
  uid: string;
  title: string;
  __inputs?: unknown;
  templating: { list: Array<{ name: string; type: string; query: unknown; datasource?: { uid: string } }> };
  panels: Panel[];
}

const dashboard = JSON.parse(readFileSync(join(paths.grafanaDashboardsDir, 'tokenmeter-overview.json'), 'utf8')) as Dashboard;
const expressions = dashboard.panels.flatMap((p) => p.targets.map((t) => ({ panel: p.title, expr: t.expr })));

/** Grafana's variables replaced the way Grafana would (a 6 h range, "All" selected). */
function interpolate(expr: string): string {
  return expr
    .replaceAll('$__range_s', '21600')
    .replaceAll('$__range', '6h')
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$department', '.*')
    .replaceAll('$feature', '.*');
}

/** Metric names an expression selects (identifiers followed by `{`, `[` or `)`, not functions or label names). */
function metricNames(expr: string): string[] {
  const names = new Set<string>();
  for (const match of expr.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?=\{|\[)/g)) names.add(match[1] ?? '');
  return [...names];
}

describe('Grafana overview dashboard', () => {
  it('uses a datasource variable on every panel and target, and no __inputs', () => {
    expect(dashboard.__inputs).toBeUndefined();
    expect(dashboard.uid).toBe('tokenmeter-overview');
    const variable = dashboard.templating.list.find((v) => v.name === 'datasource');
    expect(variable).toMatchObject({ type: 'datasource', query: 'prometheus' });
    for (const panel of dashboard.panels) {
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets) expect(target.datasource.uid, panel.title).toBe('${datasource}');
    }
    for (const v of dashboard.templating.list.filter((t) => t.type === 'query')) expect(v.datasource?.uid).toBe('${datasource}');
  });

  it('has unique panel ids and non-overlapping grid positions', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Set<string>();
    for (const { gridPos, title } of dashboard.panels) {
      expect(gridPos.x + gridPos.w, title).toBeLessThanOrEqual(24);
      for (let x = gridPos.x; x < gridPos.x + gridPos.w; x += 1) {
        for (let y = gridPos.y; y < gridPos.y + gridPos.h; y += 1) {
          expect(cells.has(`${x},${y}`), `${title} overlaps at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });

  it('shows cost today, hourly rate, month to date, tokens by type, requests by outcome, quota utilisation and unpriced calls', () => {
    const all = expressions.map((e) => e.expr).join('\n');
    for (const needle of ['tokenmeter:cost_usd_per_second:rate5m', 'tokenmeter:cost_usd_per_second:rate1h', 'gen_ai_token_type', 'tokenmeter_outcome', 'tokenmeter_quota_utilization', 'tokenmeter_unpriced_total']) {
      expect(all).toContain(needle);
    }
    const titles = dashboard.panels.map((p) => p.title);
    expect(titles).toEqual(expect.arrayContaining(['Cost today', 'Hourly rate', 'Month to date', 'Quota utilisation', 'Unpriced calls']));
  });

  it('reads only recorded series or metrics the SDK and control plane export', () => {
    const recorded = new Set<string>();
    for (const content of Object.values(ruleFiles())) {
      const file = parse(content) as { groups: Array<{ rules: Array<{ record?: string }> }> };
      for (const group of file.groups) for (const rule of group.rules) if (rule.record !== undefined) recorded.add(rule.record);
    }
    const exported = new Set(['tokenmeter_unpriced_total', 'tokenmeter_quota_utilization', 'tokenmeter_cost_total', 'tokenmeter_tokens_total', 'tokenmeter_requests_total']);
    for (const { panel, expr } of expressions) {
      for (const name of metricNames(expr)) expect(recorded.has(name) || exported.has(name), `${panel}: ${name}`).toBe(true);
    }
  });

  describe('every panel query against a real Prometheus with the shipped rules', () => {
    let prometheus: RunningPrometheus;
    beforeAll(async () => {
      prometheus = await startPrometheus({ config: derivePrometheusConfig({ targets: {}, evaluationIntervalSeconds: 1 }), files: ruleFiles() });
      await waitFor(async () => {
        const response = await fetch(`${prometheus.url}/api/v1/rules?type=record`);
        const body = (await response.json()) as { data: { groups: unknown[] } };
        return body.data.groups.length > 0;
      }, { what: 'recording rules to load' });
    });
    afterAll(async () => {
      await prometheus?.stop();
    });

    it.each(expressions)('$panel: the query parses and evaluates', async ({ expr }) => {
      await expect(prometheus.query(interpolate(expr))).resolves.toBeInstanceOf(Array);
    });

    it('a malformed query is rejected (the check can fail)', async () => {
      await expect(prometheus.query('sum by (tokenmeter_feature (tokenmeter:cost_usd_per_second:rate5m)')).rejects.toThrow(/query failed/);
    });
  });
});

describe('Grafana provisioning', () => {
  it('provisions the Prometheus datasource with the uid the dashboards default to and the dashboards folder', () => {
    const datasources = parse(readFileSync(join(paths.grafanaProvisioningDir, 'datasources', 'tokenmeter.yml'), 'utf8')) as {
      apiVersion: number;
      datasources: Array<{ type: string; uid: string; url: string }>;
    };
    expect(datasources.apiVersion).toBe(1);
    expect(datasources.datasources[0]).toMatchObject({ type: 'prometheus', uid: 'prometheus' });
    const providers = parse(readFileSync(join(paths.grafanaProvisioningDir, 'dashboards', 'tokenmeter.yml'), 'utf8')) as {
      providers: Array<{ type: string; options: { path: string } }>;
    };
    expect(providers.providers[0]).toMatchObject({ type: 'file', options: { path: '/var/lib/grafana/dashboards/tokenmeter' } });
  });
});
