/**
 * The Overview's Prometheus panels (Scenes): rates and breakdowns from the
 * metrics, on the data source chosen in the settings (a `DataSourceVariable`
 * the user can switch). Money figures come from the ledger (the API), not from here.
 */
import {
  DataSourceVariable,
  EmbeddedScene,
  PanelBuilders,
  SceneFlexItem,
  SceneFlexLayout,
  SceneQueryRunner,
  SceneTimePicker,
  SceneTimeRange,
  SceneVariableSet,
  VariableValueSelectors,
} from '@grafana/scenes';

export interface PanelQuery {
  title: string;
  expr: string;
  legend: string;
  unit: string;
}

/** The PromQL of each panel (the SDK's `tokenmeter_*_total` counters, docs/architecture.md). */
export const OVERVIEW_PANELS: PanelQuery[] = [
  {
    title: 'Spend rate by provider (USD/h)',
    expr: 'sum by (gen_ai_provider_name) (rate(tokenmeter_cost_total[$__rate_interval])) * 3600',
    legend: '{{gen_ai_provider_name}}',
    unit: 'currencyUSD',
  },
  {
    title: 'Tokens per second by type',
    expr: 'sum by (gen_ai_token_type) (rate(tokenmeter_tokens_total[$__rate_interval]))',
    legend: '{{gen_ai_token_type}}',
    unit: 'short',
  },
  {
    title: 'Requests per second by outcome',
    expr: 'sum by (tokenmeter_outcome) (rate(tokenmeter_requests_total[$__rate_interval]))',
    legend: '{{tokenmeter_outcome}}',
    unit: 'reqps',
  },
  {
    title: 'Spend rate by department (USD/h)',
    expr: 'sum by (tokenmeter_department) (rate(tokenmeter_cost_total[$__rate_interval])) * 3600',
    legend: '{{tokenmeter_department}}',
    unit: 'currencyUSD',
  },
];

export function buildOverviewScene(prometheusUid: string): EmbeddedScene {
  const ds = new DataSourceVariable({ name: 'ds', label: 'Prometheus', pluginId: 'prometheus', value: prometheusUid });
  const panel = (p: PanelQuery) =>
    new SceneFlexItem({
      minWidth: 360,
      height: 260,
      body: PanelBuilders.timeseries()
        .setTitle(p.title)
        .setUnit(p.unit)
        .setData(
          new SceneQueryRunner({
            datasource: { type: 'prometheus', uid: '${ds}' },
            queries: [{ refId: 'A', expr: p.expr, legendFormat: p.legend, range: true }],
          })
        )
        .build(),
    });
  return new EmbeddedScene({
    $timeRange: new SceneTimeRange({ from: 'now-24h', to: 'now' }),
    $variables: new SceneVariableSet({ variables: [ds] }),
    controls: [new VariableValueSelectors({}), new SceneTimePicker({})],
    body: new SceneFlexLayout({ direction: 'row', wrap: 'wrap', children: OVERVIEW_PANELS.map(panel) }),
  });
}
