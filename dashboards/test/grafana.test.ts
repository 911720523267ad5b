/**
 * The shipped Grafana dashboards and provisioning, statically: what Grafana
 * 12/13 and file provisioning need (current schemaVersion, a datasource
 * variable and no __inputs, unique panel ids, a grid without overlaps), the
 * uids the app plugin links to, instant queries where Grafana shows one value,
 * units, and only names that Prometheus holds. The queries themselves run
 * against real data in dashboards.e2e.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PROM } from '@tokenmeter/instrumentation/semconv';
import { paths, ruleFiles } from '../index.js';
import { INSTANT_PANELS, loadDashboards } from './support/dashboards.js';

/** Grafana 12/13's dashboard schema version (@grafana/schema 13: `defaultDashboard.schemaVersion`). */
const SCHEMA_VERSION = 42;
/** The uids the app plugin links to: changing one breaks its links. */
const UIDS = ['tokenmeter-anomalies', 'tokenmeter-cost-allocation', 'tokenmeter-overview', 'tokenmeter-providers', 'tokenmeter-quotas'];

/** The control plane's ledger anomaly monitor (quota-webhook src/analytics/monitor.ts). */
const LEDGER_ANOMALY_METRICS = ['tokenmeter_analytics_anomaly_impact_usd', 'tokenmeter_analytics_anomaly_score', 'tokenmeter_analytics_anomalies_total'];

const dashboards = [...loadDashboards()].map(([file, d]) => ({ file, d }));
const panels = dashboards.flatMap(({ d }) => d.panels.map((p) => ({ uid: d.uid, p })));

/** Metric names an expression selects (identifiers followed by `{` or `[`, a recorded name inside parentheses, or the bare operand of `agg by (…) (name)`). */
function metricNames(expr: string): string[] {
  const names = new Set<string>();
  const withoutStrings = expr.replace(/"[^"]*"/g, '""');
  for (const match of withoutStrings.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?=\{|\[)/g)) names.add(match[1] ?? '');
  for (const match of withoutStrings.matchAll(/\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*:[a-zA-Z0-9_:]*)\s*[)/]/g)) names.add(match[1] ?? '');
  // The bare operand of an aggregation with a grouping clause: `max by (a, b) (name)`.
  for (const match of withoutStrings.matchAll(/\)\s*\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\)/g)) names.add(match[1] ?? '');
  return [...names];
}

describe('Grafana dashboards', () => {
  it('ship the dashboards the plugin links to, one per file named after its uid', () => {
    expect(dashboards.map(({ d }) => d.uid).sort()).toEqual(UIDS);
    for (const { file, d } of dashboards) expect(file).toBe(`${d.uid}.json`);
  });

  it.each(dashboards)('$file: current schemaVersion, a datasource variable on every panel, target and query variable, no __inputs', ({ d }) => {
    expect(d.schemaVersion).toBe(SCHEMA_VERSION);
    expect(d.__inputs).toBeUndefined();
    expect(d.revision).toBeGreaterThanOrEqual(1);
    expect(d.templating.list.find((v) => v.name === 'datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    for (const panel of d.panels) {
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets) expect(target.datasource.uid, panel.title).toBe('${datasource}');
    }
    for (const v of d.templating.list.filter((t) => t.type === 'query')) expect(v.datasource?.uid, v.name).toBe('${datasource}');
  });

  it('the overview is a new revision (it changed from revision 1)', () => {
    // 2: money from the ledger gauges; 3: the projection reads method="run_rate" (the forecast is exported beside it).
    expect(dashboards.find(({ d }) => d.uid === 'tokenmeter-overview')?.d.revision).toBe(3);
  });

  it('the anomalies dashboard is a new revision (it changed from revision 1)', () => {
    // 2: the ledger anomaly monitor's gauges and counter, TokenmeterLedgerAnomaly among the alerts.
    const anomalies = dashboards.find(({ d }) => d.uid === 'tokenmeter-anomalies')?.d as { revision: number; version: number } | undefined;
    expect(anomalies).toMatchObject({ revision: 2, version: 2 });
  });

  it.each(dashboards)('$file: unique panel ids, refIds unique per panel, grid positions inside 24 columns without overlap', ({ d }) => {
    const ids = d.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Set<string>();
    for (const { gridPos, title, targets } of d.panels) {
      expect(new Set(targets.map((t) => t.refId)).size, title).toBe(targets.length);
      expect(gridPos.x + gridPos.w, title).toBeLessThanOrEqual(24);
      for (let x = gridPos.x; x < gridPos.x + gridPos.w; x += 1) {
        for (let y = gridPos.y; y < gridPos.y + gridPos.h; y += 1) {
          expect(cells.has(`${x},${y}`), `${title} overlaps at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });

  it('stat, table, bar gauge and pie panels run instant queries; time series run range queries', () => {
    for (const { uid, p } of panels) {
      for (const t of p.targets) {
        if (INSTANT_PANELS.has(p.type)) expect({ instant: t.instant, range: t.range }, `${uid} / ${p.title}`).toEqual({ instant: true, range: false });
        else expect({ instant: t.instant, range: t.range }, `${uid} / ${p.title}`).toEqual({ instant: false, range: true });
      }
    }
  });

  it('money is never avg_over_time of a rate: money stats and tables read the ledger gauges', () => {
    for (const { uid, p } of panels) {
      for (const t of p.targets) expect(t.expr, `${uid} / ${p.title}`).not.toMatch(/avg_over_time\([^)]*rate|\$__range/);
      if (p.type === 'stat' && p.fieldConfig.defaults.unit === 'currencyUSD' && p.title !== 'Hourly rate') {
        expect(p.targets[0]?.expr, `${uid} / ${p.title}`).toMatch(new RegExp(`${PROM.periodCost}|${PROM.projectedMonthEndCost}`));
      }
    }
  });

  it('units: USD for money, tokens for tokens, the period gauges in the selected time zone', () => {
    for (const { uid, p } of panels) {
      const exprs = p.targets.map((t) => t.expr).join('\n');
      const money = /cost_usd/.test(exprs) && !/\//.test(exprs);
      if (money && p.type !== 'table') expect(p.fieldConfig.defaults.unit, `${uid} / ${p.title}`).toBe('currencyUSD');
      if (money && p.type === 'table') expect(JSON.stringify(p.fieldConfig.overrides), `${uid} / ${p.title}`).toContain('"value":"currencyUSD"');
      if (p.type === 'stat' && exprs.includes(PROM.periodTokens)) expect(p.fieldConfig.defaults.unit, `${uid} / ${p.title}`).toBe('suffix: tokens');
      if (exprs.includes('tokenmeter:tokens_per_second')) expect(p.fieldConfig.defaults.unit, `${uid} / ${p.title}`).toBe('suffix: tokens/s');
      for (const t of p.targets) {
        if (/tokenmeter_period_|tokenmeter_projected_month_end/.test(t.expr)) expect(t.expr, `${uid} / ${p.title}`).toContain('timezone="$timezone"');
      }
    }
  });

  it('read only recorded series or metrics the SDK and control plane export', () => {
    const recorded = new Set<string>();
    for (const content of Object.values(ruleFiles())) {
      const file = parse(content) as { groups: Array<{ rules: Array<{ record?: string }> }> };
      for (const group of file.groups) for (const rule of group.rules) if (rule.record !== undefined) recorded.add(rule.record);
    }
    const exported = new Set<string>([...Object.values(PROM), ...LEDGER_ANOMALY_METRICS, 'tokenmeter_blocks', 'tokenmeter_router_fallbacks_total', 'ALERTS']);
    const used = new Set<string>();
    for (const { uid, p } of panels) {
      for (const t of p.targets) {
        for (const name of metricNames(t.expr)) {
          used.add(name);
          expect(recorded.has(name) || exported.has(name), `${uid} / ${p.title}: ${name}`).toBe(true);
        }
      }
    }
    // The ledger families are all on some dashboard.
    for (const name of [PROM.periodCost, PROM.periodRequests, PROM.periodTokens, PROM.periodUnpriced, PROM.projectedMonthEndCost, PROM.providerLimit, PROM.providerUsage, ...LEDGER_ANOMALY_METRICS]) expect(used, name).toContain(name);
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
      apiVersion: number;
      providers: Array<{ type: string; options: { path: string } }>;
    };
    expect(providers.apiVersion).toBe(1);
    expect(providers.providers[0]).toMatchObject({ type: 'file', options: { path: '/var/lib/grafana/dashboards/tokenmeter' } });
  });
});
