// Puts variables, rows and panels together the same way for every dashboard.
import {
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  RowBuilder,
  type Dashboard,
  type QueryVariableBuilder,
} from '@grafana/grafana-foundation-sdk/dashboard';
import type { Panel } from './panels.js';
import { appVariables, datasourceVariable } from './variables.js';

export interface DashboardSpec {
  /** Stable uid (`rnh-<name>`): links and bookmarks keep working. Also the file name. */
  uid: string;
  title: string;
  description: string;
  tags: string[];
  /** Filters after datasource, app and instance. */
  variables?: QueryVariableBuilder[];
  rows: Array<{ title: string; panels: Panel[] }>;
}

export function buildDashboard(spec: DashboardSpec): Dashboard {
  const builder = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags(['rnh', ...spec.tags])
    .time({ from: 'now-1h', to: 'now' })
    .refresh('30s')
    .timezone('browser')
    .tooltip(DashboardCursorSync.Crosshair)
    .link(
      new DashboardLinkBuilder('RNH dashboards')
        .type(DashboardLinkType.Dashboards)
        .tags(['rnh'])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true),
    )
    .withVariable(datasourceVariable());
  for (const variable of [...appVariables(), ...(spec.variables ?? [])]) builder.withVariable(variable);
  for (const row of spec.rows) {
    builder.withRow(new RowBuilder(row.title));
    for (const panel of row.panels) builder.withPanel(panel);
  }
  const dashboard = builder.build();
  // The SDK files links under the controls menu by default; show them in the top bar.
  for (const link of dashboard.links ?? []) delete link.placement;
  // Grafana wants unique panel ids; the builder leaves them unset (rows get 0).
  dashboard.panels?.forEach((panel, index) => {
    panel.id = index + 1;
  });
  return dashboard;
}
