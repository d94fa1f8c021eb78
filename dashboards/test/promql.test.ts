// Reading metric names out of PromQL, the ratio guard, and queries with variables filled in.
import { describe, expect, it } from 'vitest';
import {
  isCataloged,
  metricNames,
  panelQueries,
  substituteVariables,
  variableQueryExpr,
} from '../src/index.js';
import { quantile, ratio } from '../src/promql.js';

describe('metricNames', () => {
  it('finds selected metrics and recorded series, not functions, keywords, labels or variables', () => {
    expect(
      metricNames(
        'sum by (app, le) (rate(http_server_request_duration_seconds_bucket{app=~"$app", route="/x:y"}[$__rate_interval])) ' +
          '/ on (app) group_left(node) rnh:cache_hit:ratio_rate5m > bool 0.5 and absent(redis_server_up offset 15m) ' +
          'unless time() - process_start_time_seconds < 9e2',
      ).sort(),
    ).toEqual([
      'http_server_request_duration_seconds_bucket',
      'process_start_time_seconds',
      'redis_server_up',
      'rnh:cache_hit:ratio_rate5m',
    ]);
  });

  it('reads the selector out of a label_values() variable query', () => {
    expect(variableQueryExpr('label_values(cache_lookups_total{app=~"$app"}, cache)')).toBe(
      'cache_lookups_total{app=~"$app"}',
    );
  });
});

describe('isCataloged', () => {
  const catalog = ['queue_job_wait_seconds', 'process_*', 'redis_server_up'];
  it('accepts names, prefix groups and the series of a histogram', () => {
    expect(isCataloged('redis_server_up', catalog)).toBe(true);
    expect(isCataloged('process_cpu_seconds_total', catalog)).toBe(true);
    expect(isCataloged('queue_job_wait_seconds_bucket', catalog)).toBe(true);
    expect(isCataloged('queue_job_wait_seconds_count', catalog)).toBe(true);
    expect(isCataloged('redis_up', catalog)).toBe(false);
    expect(isCataloged('redis_server_up_count', catalog)).toBe(true);
  });
});

describe('query helpers', () => {
  it('ratio() answers 0 when the part has no series and nothing (not NaN) when the whole is 0', () => {
    expect(ratio('sum(a)', 'sum(b)')).toBe('(sum(a) or sum(b) * 0) / (sum(b) > 0)');
  });

  it('quantile() aggregates buckets by le and the given labels', () => {
    expect(quantile(0.99, 'h', 'app="api"', ['route'])).toBe(
      'histogram_quantile(0.99, sum by (le, route) (rate(h_bucket{app="api"}[$__rate_interval])))',
    );
  });
});

describe('panelQueries', () => {
  it('lists every panel expression with the variables filled in', () => {
    const queries = panelQueries({ app: 'api|worker', instance: '.*' });
    expect(queries.length).toBeGreaterThan(100);
    expect(new Set(queries.map((query) => query.dashboard)).size).toBe(7);
    for (const query of queries) expect(query.expr, query.template).not.toContain('$');
    const example = queries.find((query) => query.dashboard === 'rnh-redis' && query.panel === 'Up')!;
    expect(example.expr).toBe('min by (node) (redis_server_up{app=~"api|worker", instance=~".*"})');
  });

  it('uses "All" (.+) for variables not given and fixed built-in intervals', () => {
    expect(substituteVariables('rate(x{app=~"$app", cache=~"${cache}"}[$__rate_interval]) $__range')).toBe(
      'rate(x{app=~".+", cache=~".+"}[1m]) 1h',
    );
    expect(substituteVariables('rate(x[$__rate_interval])', { __rate_interval: '30s' })).toBe('rate(x[30s])');
  });
});
