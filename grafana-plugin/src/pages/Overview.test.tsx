import { loadUtilization } from './Overview';
import { OVERVIEW_PANELS, buildOverviewScene } from '../scenes/overviewScene';
import * as resources from '../api/resources';
import { DataSourceVariable, SceneQueryRunner, sceneGraph, VizPanel } from '@grafana/scenes';

jest.mock('../api/resources', () => ({
  ...jest.requireActual('../api/resources'),
  listQuotas: jest.fn(),
  listBudgets: jest.fn(),
}));

const status = (
  metric: resources.QuotaMetric,
  windows: Array<Partial<resources.WindowStatus>>
): resources.QuotaStatus => ({
  quota_id: 'x',
  metric,
  period: 'month',
  timezone: 'UTC',
  enforcement: 'soft',
  windows: windows.map((w) => ({
    subject: 's',
    limit: 1,
    usage: 0,
    utilization: 0,
    window_start: '',
    next_reset: '2027-01-01T00:00:00Z',
    ...w,
  })),
});

describe('Overview utilisation', () => {
  test('one line per quota/budget window, exact money for cost, most used first', async () => {
    jest.mocked(resources.listQuotas).mockResolvedValue([
      {
        id: 'tok',
        scope: 'user',
        subject: '*',
        metric: 'tokens',
        status: status('tokens', [
          { subject: 'ada', usage: 1500, limit: 10000, utilization: 0.15 },
          { subject: 'bob', usage: 9000, limit: 10000, utilization: 0.9 },
        ]),
      },
    ] as resources.Quota[]);
    jest.mocked(resources.listBudgets).mockResolvedValue([
      {
        id: 'budget-r',
        name: 'Research',
        status: status('cost', [{ subject: 'research', usage_usd: '412.005', limit_usd: '500', utilization: 0.82401 }]),
      },
    ] as resources.Budget[]);
    expect(await loadUtilization()).toEqual([
      expect.objectContaining({
        id: 'tok',
        kind: 'quota',
        subject: 'bob',
        usage: '9,000',
        limit: '10,000',
        utilization: 0.9,
      }),
      expect.objectContaining({
        id: 'budget-r',
        kind: 'budget',
        label: 'Research',
        usage: '$412.01',
        limit: '$500.00',
        utilization: 0.82401,
      }),
      expect.objectContaining({ subject: 'ada', utilization: 0.15 }),
    ]);
  });
});

describe('Overview Prometheus panels (Scenes)', () => {
  test('query the data source chosen in the settings through the $ds variable', () => {
    const scene = buildOverviewScene('prom-uid');
    const ds = sceneGraph.lookupVariable('ds', scene) as DataSourceVariable;
    expect(ds).toBeInstanceOf(DataSourceVariable);
    expect(ds.state.pluginId).toBe('prometheus');
    expect(ds.state.value).toBe('prom-uid');
    const panels = sceneGraph.findAllObjects(scene, (o) => o instanceof VizPanel) as VizPanel[];
    expect(panels.map((p) => p.state.title)).toEqual(OVERVIEW_PANELS.map((p) => p.title));
    const runners = sceneGraph.findAllObjects(scene, (o) => o instanceof SceneQueryRunner) as SceneQueryRunner[];
    expect(runners.map((r) => r.state.queries[0]!.expr)).toEqual(OVERVIEW_PANELS.map((p) => p.expr));
    expect(runners.every((r) => (r.state.datasource as { uid: string }).uid === '${ds}')).toBe(true);
  });

  test('use the project metric names, never an average of a rate for money', () => {
    for (const p of OVERVIEW_PANELS) {
      expect(p.expr).toMatch(/tokenmeter_(cost|tokens|requests)_total/);
      expect(p.expr).not.toMatch(/avg_over_time/);
    }
  });
});
