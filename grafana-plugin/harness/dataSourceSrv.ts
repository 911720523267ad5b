/**
 * A DataSourceSrv for the harness: lists one Prometheus data source by its
 * settings (so the config page's picker has something to choose) and refuses
 * to run queries — there is no Grafana data source backend here.
 */
import type { DataSourceInstanceSettings } from '@grafana/data';
import type { DataSourceSrv } from '@grafana/runtime';

const PROMETHEUS = {
  uid: 'harness-prometheus',
  name: 'Prometheus (harness: settings only, no queries)',
  type: 'prometheus',
  id: 1,
  access: 'proxy',
  jsonData: {},
  readOnly: true,
  meta: {
    id: 'prometheus',
    name: 'Prometheus',
    type: 'datasource',
    info: { logos: { small: '', large: '' } },
    metrics: true,
    module: '',
    baseUrl: '',
  },
} as unknown as DataSourceInstanceSettings;

export function harnessDataSourceSrv(): DataSourceSrv {
  const list = [PROMETHEUS];
  const find = (ref?: string | { uid?: string } | null) => {
    const uid = typeof ref === 'string' ? ref : ref?.uid;
    return list.find((d) => d.uid === uid || d.name === uid);
  };
  return {
    getList: (filters?: { pluginId?: string }) =>
      list.filter((d) => !filters?.pluginId || d.meta.id === filters.pluginId),
    getInstanceSettings: (ref?: string | { uid?: string } | null) => find(ref),
    get: () => Promise.reject(new Error('harness: data source queries need Grafana')),
    reload: () => Promise.resolve(),
    registerRuntimeDataSource: () => {},
  } as unknown as DataSourceSrv;
}
