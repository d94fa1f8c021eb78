// Queries every panel of some dashboards over a time range from a real Prometheus and writes one
// SVG grid per dashboard (docs/images/<name>-dashboard.svg).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDashboards, substituteVariables, type VariableValues } from '@rnh/dashboards';
import { PrometheusApi } from '../src/prometheus-api.js';
import { renderPanelGrid, type ChartPanel } from './svg.js';

export interface DashboardImageOptions {
  prometheus: string;
  /** Unix seconds. */
  start: number;
  end: number;
  /** Seconds between points; default: about 240 points over the range. */
  step?: number;
  /** Dashboard uids, e.g. `rnh-redis`; default: rnh-redis and rnh-cache. */
  dashboards?: string[];
  /** Template variables; default `app=api|worker`, `instance=.*`. */
  variables?: VariableValues;
  outDir: string;
  /** A line under the title (what produced the data). */
  subtitle?: string;
}

interface PanelLike {
  title?: string;
  type?: string;
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: Array<{ expr?: string; legendFormat?: string; refId?: string }>;
}

/** `{{node}} p99` with the series' labels; `__auto` and empty: the labels, or the query. */
export function legendOf(
  format: string | undefined,
  labels: Record<string, string>,
  fallback: string,
): string {
  const { __name__: _name, ...rest } = labels;
  if (format && format !== '__auto')
    return format.replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, name: string) => rest[name] ?? '');
  const text = Object.entries(rest)
    .map(([key, value]) => `${key}="${value}"`)
    .join(', ');
  return text || fallback;
}

/** Panels of one dashboard with their series over the range. */
export async function dashboardPanels(
  api: PrometheusApi,
  uid: string,
  options: Pick<DashboardImageOptions, 'start' | 'end' | 'step' | 'variables'>,
): Promise<{ title: string; panels: ChartPanel[] }> {
  const dashboard = buildDashboards().find((d) => d.uid === uid);
  if (!dashboard) throw new Error(`no dashboard with uid ${uid}`);
  const step = options.step ?? Math.max(1, Math.round((options.end - options.start) / 240));
  const variables = options.variables ?? { app: 'api|worker', instance: '.*' };
  const panels: ChartPanel[] = [];
  for (const panel of (dashboard.panels ?? []) as PanelLike[]) {
    if (!panel.targets?.some((target) => target.expr)) continue;
    const chart: ChartPanel = {
      title: panel.title ?? '',
      unit: panel.fieldConfig?.defaults?.unit ?? 'short',
      series: [],
    };
    for (const target of panel.targets) {
      if (!target.expr) continue;
      const expr = substituteVariables(target.expr, variables);
      const result = await api.queryRange(expr, options.start, options.end, step);
      for (const series of result)
        chart.series.push({
          name: legendOf(target.legendFormat, series.metric, target.refId ?? ''),
          points: series.values.map(([t, v]) => [t, Number(v)]),
        });
    }
    panels.push(chart);
  }
  return { title: dashboard.title ?? uid, panels };
}

/** Writes `<outDir>/<name>-dashboard.svg` per dashboard (`rnh-redis` → `redis-dashboard.svg`). */
export async function writeDashboardImages(options: DashboardImageOptions): Promise<string[]> {
  const api = new PrometheusApi(options.prometheus);
  mkdirSync(options.outDir, { recursive: true });
  const written: string[] = [];
  for (const uid of options.dashboards ?? ['rnh-redis', 'rnh-cache']) {
    const { title, panels } = await dashboardPanels(api, uid, options);
    const file = join(options.outDir, `${uid.replace(/^rnh-/, '')}-dashboard.svg`);
    writeFileSync(
      file,
      renderPanelGrid({
        title: `${title} (dashboard ${uid}, rendered from Prometheus)`,
        subtitle: options.subtitle,
        start: options.start,
        end: options.end,
        panels,
      }),
    );
    written.push(file);
  }
  return written;
}
