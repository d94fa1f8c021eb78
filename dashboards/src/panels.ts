// Panel builders shared by every dashboard: one look, one data source, exemplars on latency.
import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  MappingType,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  type ValueMapping,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as GaugePanel } from '@grafana/grafana-foundation-sdk/gauge';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { PROMETHEUS, quantile } from './promql.js';

export interface Query {
  expr: string;
  /** Legend template, e.g. `{{cache}} {{layer}}`. */
  legend?: string;
}

export type Panel = TimeseriesPanel | StatPanel | GaugePanel;

interface PanelOptions {
  title: string;
  description: string;
  /** Grafana unit id: `s`, `bytes`, `percentunit`, `reqps`, `ops`, `short`. */
  unit?: string;
  /** Grid columns out of 24. */
  width?: number;
  height?: number;
}

interface TimeseriesOptions extends PanelOptions {
  queries: Query[];
  stack?: boolean;
  min?: number;
  max?: number;
  /** Ask Prometheus for exemplars (trace ids) too: a dot on the graph opens the trace. */
  exemplars?: boolean;
}

/** Green below the first step's value, then each step's colour from its value up. */
export type Steps = Array<{ value: number; color: string }>;

interface StatOptions extends PanelOptions {
  query: Query;
  steps?: Steps;
  mappings?: ValueMapping[];
  /** Shown when the query has no series (e.g. a counter never incremented): usually `0`. */
  noValue?: string;
}

function targets(queries: Query[], options: { exemplars?: boolean; instant?: boolean } = {}) {
  return queries.map((query, index) => {
    const target = new DataqueryBuilder()
      .datasource(PROMETHEUS)
      .refId(String.fromCharCode(65 + index))
      .expr(query.expr)
      .legendFormat(query.legend ?? '__auto');
    if (options.instant) target.instant();
    else target.range();
    if (options.exemplars) target.exemplar(true);
    return target;
  });
}

function thresholds(steps: Steps = []) {
  return new ThresholdsConfigBuilder()
    .mode(ThresholdsMode.Absolute)
    .steps([{ value: null, color: 'green' }, ...steps]);
}

export function timeseries(options: TimeseriesOptions): TimeseriesPanel {
  const panel = new TimeseriesPanel()
    .title(options.title)
    .description(options.description)
    .datasource(PROMETHEUS)
    .targets(targets(options.queries, { exemplars: options.exemplars ?? false }))
    .unit(options.unit ?? 'short')
    .span(options.width ?? 12)
    .height(options.height ?? 8)
    .lineWidth(1)
    .fillOpacity(options.stack ? 25 : 10)
    .showPoints(common.VisibilityMode.Never)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom)
        .calcs([]),
    )
    .tooltip(
      new common.VizTooltipOptionsBuilder()
        .mode(common.TooltipDisplayMode.Multi)
        .sort(common.SortOrder.Descending),
    );
  if (options.stack) panel.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  if (options.min !== undefined) panel.min(options.min);
  if (options.max !== undefined) panel.max(options.max);
  return panel;
}

/** Latency quantiles of a histogram, with exemplars. `by` adds a series per label value. */
export function latency(options: {
  title: string;
  description: string;
  histogram: string;
  matchers: string;
  by?: string[];
  quantiles?: number[];
  width?: number;
}): TimeseriesPanel {
  const by = options.by ?? [];
  const legendLabels = by.map((label) => `{{${label}}}`).join(' ');
  return timeseries({
    title: options.title,
    description: options.description,
    unit: 's',
    exemplars: true,
    ...(options.width ? { width: options.width } : {}),
    queries: (options.quantiles ?? [0.5, 0.95, 0.99]).map((q) => ({
      expr: quantile(q, options.histogram, options.matchers, by),
      legend: [`p${Math.round(q * 100)}`, legendLabels].filter(Boolean).join(' '),
    })),
  });
}

export function stat(options: StatOptions): StatPanel {
  const panel = new StatPanel()
    .title(options.title)
    .description(options.description)
    .datasource(PROMETHEUS)
    .targets(targets([options.query]))
    .unit(options.unit ?? 'short')
    .span(options.width ?? 6)
    .height(options.height ?? 4)
    .graphMode(common.BigValueGraphMode.Area)
    .colorMode(common.BigValueColorMode.Value)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .thresholds(thresholds(options.steps));
  if (options.mappings) panel.mappings(options.mappings);
  if (options.noValue !== undefined) panel.noValue(options.noValue);
  return panel;
}

export function gauge(options: StatOptions & { max: number }): GaugePanel {
  return new GaugePanel()
    .title(options.title)
    .description(options.description)
    .datasource(PROMETHEUS)
    .targets(targets([options.query]))
    .unit(options.unit ?? 'percentunit')
    .min(0)
    .max(options.max)
    .span(options.width ?? 6)
    .height(options.height ?? 4)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .thresholds(thresholds(options.steps))
    .showThresholdMarkers(true);
}

/** 1 → UP (green), 0 → DOWN (red). */
export const upDownMappings: ValueMapping[] = [
  {
    type: MappingType.ValueToText,
    options: {
      '0': { text: 'DOWN', color: 'red', index: 0 },
      '1': { text: 'UP', color: 'green', index: 1 },
    },
  },
];
