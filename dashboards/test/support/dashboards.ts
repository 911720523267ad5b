/**
 * The shipped Grafana dashboards as data, and their queries run the way
 * Grafana runs them: variables interpolated, instant queries for stat, table,
 * bar gauge and pie panels, range queries for time series (their last point is
 * what is compared). `checkDashboard` runs every query of a dashboard against
 * a Prometheus and hands each panel's results to that panel's check.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { paths } from '../../index.js';

export interface Target {
  refId: string;
  expr: string;
  datasource: { type: string; uid: string };
  legendFormat?: string;
  instant?: boolean;
  range?: boolean;
  format?: string;
}
export interface Panel {
  id: number;
  type: string;
  title: string;
  datasource: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets: Target[];
  fieldConfig: { defaults: { unit?: string }; overrides: unknown[] };
}
export interface Variable {
  name: string;
  type: string;
  query: unknown;
  definition?: string;
  regex?: string;
  includeAll?: boolean;
  allValue?: string;
  datasource?: { type: string; uid: string };
}
export interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  revision: number;
  __inputs?: unknown;
  templating: { list: Variable[] };
  panels: Panel[];
}

/** Every dashboard file: file name → dashboard. */
export function loadDashboards(): Map<string, Dashboard> {
  const out = new Map<string, Dashboard>();
  for (const name of readdirSync(paths.grafanaDashboardsDir).filter((n) => n.endsWith('.json')).sort()) {
    out.set(name, JSON.parse(readFileSync(join(paths.grafanaDashboardsDir, name), 'utf8')) as Dashboard);
  }
  return out;
}

/** Panels whose queries Grafana runs as instant queries (one value per series). */
export const INSTANT_PANELS = new Set(['stat', 'table', 'bargauge', 'piechart', 'gauge']);

/** One series of a result: its labels and its value (a time series' last point). */
export interface Series {
  labels: Record<string, string>;
  value: number;
}

/**
 * Grafana's interpolation of a query: dashboard variables by name (a value
 * Grafana would format as a regex for multi-value variables: `.*` for All),
 * and `$__rate_interval` as given.
 */
export function interpolate(expr: string, vars: Readonly<Record<string, string>>): string {
  return expr.replace(/\$\{?(__rate_interval|[A-Za-z_][A-Za-z0-9_]*)\}?/g, (whole, name: string) => {
    const v = vars[name];
    if (v === undefined) throw new Error(`no value for variable $${name} in: ${expr}`);
    return v;
  });
}

interface PromAnswer {
  status: string;
  error?: string;
  data?: { resultType: string; result: Array<{ metric: Record<string, string>; value?: [number, string]; values?: Array<[number, string]> }> };
}

/** Runs one query at `atSeconds` (instant) or over [`fromSeconds`, `atSeconds`] (range, 1 s steps); throws on a query error. */
export async function runQuery(prometheusUrl: string, expr: string, instant: boolean, atSeconds: number, fromSeconds: number): Promise<Series[]> {
  const url = instant
    ? `${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}&time=${atSeconds}`
    : `${prometheusUrl}/api/v1/query_range?query=${encodeURIComponent(expr)}&start=${fromSeconds}&end=${atSeconds}&step=1`;
  const answer = (await (await fetch(url)).json()) as PromAnswer;
  if (answer.status !== 'success') throw new Error(`query failed: ${answer.error ?? answer.status}`);
  const result = answer.data?.result ?? [];
  return result.flatMap((r) => {
    const point = instant ? r.value : r.values?.at(-1);
    // A time series ending before the evaluation time has no current value: Grafana shows it ending there.
    if (point === undefined || (!instant && point[0] < atSeconds - 0.5)) return [];
    return [{ labels: r.metric, value: Number(point[1]) }];
  });
}

/** A panel's results, by refId. */
export type PanelResults = Map<string, Series[]>;

/** Checks one panel's results; returns what is wrong (empty when right). */
export type PanelCheck = (results: PanelResults) => string[] | Promise<string[]>;

export interface CheckOptions {
  prometheusUrl: string;
  vars: Readonly<Record<string, string>>;
  atSeconds: number;
  fromSeconds: number;
  /** Panel title → its check. */
  checks: ReadonlyMap<string, PanelCheck>;
}

/**
 * Runs every query of every panel and its check. Problems: a query that
 * errors or returns nothing, a panel without a check (so no panel goes
 * unchecked), a check without a panel, and whatever the checks find.
 */
export async function checkDashboard(dashboard: Dashboard, options: CheckOptions): Promise<string[]> {
  const problems: string[] = [];
  const titles = new Set(dashboard.panels.map((p) => p.title));
  for (const title of options.checks.keys()) if (!titles.has(title)) problems.push(`${dashboard.uid}: a check for "${title}", which is not a panel`);
  for (const panel of dashboard.panels) {
    const where = `${dashboard.uid} / ${panel.title}`;
    const check = options.checks.get(panel.title);
    if (check === undefined) {
      problems.push(`${where}: no check compares this panel with the ledger`);
      continue;
    }
    const results: PanelResults = new Map();
    let ran = true;
    for (const t of panel.targets) {
      const instant = INSTANT_PANELS.has(panel.type);
      try {
        const series = await runQuery(options.prometheusUrl, interpolate(t.expr, options.vars), instant, options.atSeconds, options.fromSeconds);
        if (series.length === 0) {
          problems.push(`${where} [${t.refId}]: the query returned nothing: ${t.expr}`);
          ran = false;
        }
        results.set(t.refId, series);
      } catch (error) {
        problems.push(`${where} [${t.refId}]: ${(error as Error).message}`);
        ran = false;
      }
    }
    if (ran) for (const p of await check(results)) problems.push(`${where}: ${p}`);
  }
  return problems;
}

// ------------------------------------------------------------------ comparisons

/** The key of a series: the values of `labels`, missing or empty ones as `(none)`, joined by " / ". */
export function keyOf(labels: readonly string[]): (s: Series) => string {
  return (s) => labels.map((l) => (s.labels[l] === undefined || s.labels[l] === '' ? '(none)' : s.labels[l])).join(' / ');
}

const fmt = (v: number): string => (Number.isInteger(v) ? String(v) : v.toPrecision(12));

/**
 * Every expected key has a series with the expected value and there is no
 * other series. `relative` = the tolerance relative to the expected value
 * (0 for counts; money allows float summation in PromQL, 1e-12).
 * `missingIsZero`: a key expected at 0 may have no series (a counter the SDK never created).
 */
export function compareSeries(series: readonly Series[], key: (s: Series) => string, expected: ReadonlyMap<string, number>, what: string, options: { relative: number; absolute?: number; missingIsZero?: boolean }): string[] {
  const problems: string[] = [];
  const got = new Map<string, number>();
  for (const s of series) {
    const k = key(s);
    if (got.has(k)) problems.push(`${what}: two series for ${k}`);
    got.set(k, s.value);
  }
  const tolerance = (e: number): number => Math.max(options.relative * Math.abs(e), options.absolute ?? 0);
  for (const [k, e] of expected) {
    const g = got.get(k);
    if (g === undefined) {
      if (!(options.missingIsZero && e === 0)) problems.push(`${what}: no series for ${k} (expected ${fmt(e)})`);
      continue;
    }
    if (!(Math.abs(g - e) <= tolerance(e))) problems.push(`${what}: ${k} is ${fmt(g)}, the ledger says ${fmt(e)}`);
  }
  for (const [k, g] of got) if (!expected.has(k)) problems.push(`${what}: unexpected series ${k} = ${fmt(g)}`);
  return problems;
}

/** The one value of a single-series result. */
export function single(series: readonly Series[] | undefined, what: string): { value?: number; problems: string[] } {
  if (series === undefined || series.length !== 1) return { problems: [`${what}: expected one series, got ${series?.length ?? 0}`] };
  return { value: series[0]!.value, problems: [] };
}
