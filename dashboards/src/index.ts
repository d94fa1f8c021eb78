// @rnh/dashboards: the Grafana dashboards as code, and what tests need to check them.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { api } from './dashboards/api.js';
import { cache } from './dashboards/cache.js';
import { queues } from './dashboards/queues.js';
import { ratelimit } from './dashboards/ratelimit.js';
import { realtime } from './dashboards/realtime.js';
import { redis } from './dashboards/redis.js';
import { sessions } from './dashboards/sessions.js';
import { variableQueryExpr } from './promql.js';

export { isCataloged, metricNames, variableQueryExpr } from './promql.js';
export { DATASOURCE_UIDS } from './variables.js';

/** Where the generated JSON lives (and is committed): dashboards/<uid>.json. */
export const dashboardsDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Every dashboard, built fresh. */
export function buildDashboards(): Dashboard[] {
  return [redis(), cache(), ratelimit(), sessions(), queues(), realtime(), api()];
}

/** The file name of a dashboard: its uid. */
export function dashboardFileName(dashboard: Dashboard): string {
  return `${dashboard.uid}.json`;
}

/** The JSON as committed: two-space indentation, final newline. */
export function renderDashboard(dashboard: Dashboard): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}

/** File name → content of every generated dashboard. */
export function generatedFiles(): Map<string, string> {
  return new Map(
    buildDashboards().map((dashboard) => [dashboardFileName(dashboard), renderDashboard(dashboard)]),
  );
}

/** The committed dashboard files (dashboards/rnh-*.json). */
export function committedFileNames(): string[] {
  return readdirSync(dashboardsDir)
    .filter((name) => /^rnh-.*\.json$/.test(name))
    .sort();
}

export interface PanelQuery {
  dashboard: string;
  panel: string;
  /** timeseries, stat, gauge. */
  panelType: string;
  refId: string;
  /** The expression with template variables replaced. */
  expr: string;
  /** As written in the dashboard. */
  template: string;
  exemplar: boolean;
}

/**
 * Values of Grafana variables in a query. Label variables default to `.+` (what "All"
 * sends); built-ins default to `__rate_interval: 1m`, `__interval: 15s`, `__range: 1h`.
 */
export type VariableValues = Record<string, string | undefined>;

const BUILT_INS: Record<string, string> = { __rate_interval: '1m', __interval: '15s', __range: '1h' };

/** Replaces `$name` and `${name}` with the given values (or the defaults above). */
export function substituteVariables(template: string, values: VariableValues = {}): string {
  return template.replace(
    /\$\{(\w+)\}|\$(\w+)/g,
    (_match, braced: string | undefined, bare: string | undefined) => {
      const name = (braced ?? bare)!;
      return values[name] ?? BUILT_INS[name] ?? '.+';
    },
  );
}

/**
 * Every PromQL expression of every panel, ready to run against a Prometheus, e.g.
 * `panelQueries({ app: 'api|worker', instance: '.*' })`.
 */
export function panelQueries(values: VariableValues = {}, dashboards = buildDashboards()): PanelQuery[] {
  const queries: PanelQuery[] = [];
  for (const dashboard of dashboards) {
    for (const panel of dashboard.panels ?? []) {
      if (!('targets' in panel) || !panel.targets) continue;
      for (const target of panel.targets as Array<{ refId?: string; expr?: string; exemplar?: boolean }>) {
        if (!target.expr) continue;
        queries.push({
          dashboard: dashboard.uid ?? dashboard.title ?? '',
          panel: panel.title ?? '',
          panelType: panel.type,
          refId: target.refId ?? '',
          expr: substituteVariables(target.expr, values),
          template: target.expr,
          exemplar: target.exemplar === true,
        });
      }
    }
  }
  return queries;
}

/** The PromQL of every template variable (`label_values(<this>, label)`), per dashboard. */
export function variableQueries(values: VariableValues = {}, dashboards = buildDashboards()) {
  const queries: Array<{ dashboard: string; variable: string; expr: string }> = [];
  for (const dashboard of dashboards) {
    for (const variable of dashboard.templating?.list ?? []) {
      if (variable.type !== 'query' || typeof variable.query !== 'string') continue;
      const expr = variableQueryExpr(variable.query);
      if (expr)
        queries.push({
          dashboard: dashboard.uid ?? dashboard.title ?? '',
          variable: variable.name,
          expr: substituteVariables(expr, values),
        });
    }
  }
  return queries;
}
