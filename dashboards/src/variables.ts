// Template variables: the Prometheus data source, the app and its instances, and
// per-dashboard label filters (cache, policy, queue, route).
import {
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { PROMETHEUS } from './promql.js';

/** Fixed uids of the provisioned data sources (deploy/grafana/provisioning/datasources). */
export const DATASOURCE_UIDS = { prometheus: 'rnh-prometheus', traces: 'rnh-traces' } as const;

export function datasourceVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder('datasource')
    .label('Data source')
    .type('prometheus')
    .current({ selected: true, text: 'Prometheus', value: DATASOURCE_UIDS.prometheus });
}

/**
 * A multi-value label filter filled from `label_values(<selector>, <label>)`. "All" is `.+`
 * (the label must be there), so series of other jobs without the label stay out.
 */
export function labelVariable(
  name: string,
  label: string,
  selector: string,
  title: string,
): QueryVariableBuilder {
  const query = `label_values(${selector}, ${label})`;
  return new QueryVariableBuilder(name)
    .label(title)
    .datasource(PROMETHEUS)
    .query(query)
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.+')
    .current({ selected: true, text: 'All', value: '$__all' });
}

/** `app` (api, worker) and `instance`, on every dashboard. Every app series has redis_server_up. */
export function appVariables(): QueryVariableBuilder[] {
  return [
    labelVariable('app', 'app', 'redis_server_up', 'App'),
    labelVariable('instance', 'instance', 'redis_server_up{app=~"$app"}', 'Instance'),
  ];
}
