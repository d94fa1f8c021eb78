// Small PromQL helpers: building the dashboards' queries, and reading metric names back
// out of any expression (dashboards and alert rules are checked against docs/metrics.md).

/** The Prometheus data source of every panel: the dashboard's `datasource` variable. */
export const PROMETHEUS = { type: 'prometheus', uid: '${datasource}' } as const;

/** Label matchers of the app and instance variables, plus any extra ones. */
export function sel(...extra: string[]): string {
  return ['app=~"$app"', 'instance=~"$instance"', ...extra].join(', ');
}

/** `rate(metric{matchers}[$__rate_interval])`. */
export function rate(metric: string, matchers: string): string {
  return `rate(${metric}{${matchers}}[$__rate_interval])`;
}

/** `increase(metric{matchers}[$__range])`: the total over the dashboard's time range. */
export function increaseOverRange(metric: string, matchers: string): string {
  return `increase(${metric}{${matchers}}[$__range])`;
}

/** A quantile of a histogram (its base name, without `_bucket`), aggregated by `by`. */
export function quantile(q: number, histogram: string, matchers: string, by: string[] = []): string {
  const labels = ['le', ...by].join(', ');
  return `histogram_quantile(${q}, sum by (${labels}) (${rate(`${histogram}_bucket`, matchers)}))`;
}

/**
 * part / whole with both aggregated the same way: 0 (not nothing) when `part` has no series
 * but `whole` has, and nothing (not NaN) when `whole` is 0.
 */
export function ratio(part: string, whole: string): string {
  return `(${part} or ${whole} * 0) / (${whole} > 0)`;
}

const NOT_METRICS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'inf',
  'nan',
  'atan2',
]);

/**
 * Metric names (and recording-rule names) an expression selects. Enough of PromQL for our
 * own expressions: strings, label matchers, ranges, label lists and offsets are dropped
 * first, then every identifier that is not a function call or a keyword is a metric.
 * Grafana variables (`$app`, `$__rate_interval`) only ever appear inside those.
 */
export function metricNames(expr: string): string[] {
  const text = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gi, ' ')
    .replace(/\boffset\s+-?\w+/gi, ' ')
    .replace(/@\s*[\w.()]+/g, ' ');
  const names = new Set<string>();
  for (const match of text.matchAll(/(?<![\w:.$])([a-zA-Z_:][\w:]*)(?![\w:])(?!\s*\()/g)) {
    const name = match[1]!;
    if (!NOT_METRICS.has(name.toLowerCase())) names.add(name);
  }
  return [...names];
}

/** The PromQL inside a Prometheus template-variable query such as `label_values(up{a="b"}, job)`. */
export function variableQueryExpr(query: string): string | undefined {
  const labelValues = /^\s*label_values\(\s*(.+),\s*\w+\s*\)\s*$/s.exec(query);
  if (labelValues) return labelValues[1];
  const queryResult = /^\s*query_result\(\s*(.+)\s*\)\s*$/s.exec(query);
  if (queryResult) return queryResult[1];
  if (/^\s*label_values\(\s*\w+\s*\)\s*$/.test(query) || /^\s*label_names\(/.test(query)) return undefined;
  return /^\s*metrics\(/.test(query) ? undefined : query;
}

/**
 * Whether docs/metrics.md lists a metric: by name, by a `prefix_*` group, or as the
 * histogram whose `_bucket`, `_sum` or `_count` series it is.
 */
export function isCataloged(name: string, cataloged: readonly string[]): boolean {
  const listed = (candidate: string) =>
    cataloged.some((entry) =>
      entry.endsWith('*') ? candidate.startsWith(entry.slice(0, -1)) : entry === candidate,
    );
  if (listed(name)) return true;
  const base = /^(.+)_(?:bucket|sum|count)$/.exec(name)?.[1];
  return base !== undefined && listed(base);
}
