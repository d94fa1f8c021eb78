import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogedMetricNames, uncatalogedMetrics } from '../src/index.js';

const catalog = join(mkdtempSync(join(tmpdir(), 'catalog-')), 'metrics.md');
writeFileSync(
  catalog,
  [
    '| name | type |',
    '|---|---|',
    '| `redis_server_up` | gauge |',
    '| `process_*` | various |',
    'text `not_a_row`',
  ].join('\n'),
);

describe('metric catalog', () => {
  it('reads names and groups from table rows only', () => {
    expect(catalogedMetricNames(catalog)).toEqual(['redis_server_up', 'process_*']);
  });

  it('reports served families missing from the catalog', () => {
    const exposition = [
      '# TYPE redis_server_up gauge',
      'redis_server_up 1',
      '# TYPE process_cpu_seconds_total counter',
      '# TYPE cache_lookups_total counter',
    ].join('\n');
    expect(uncatalogedMetrics(exposition, catalog)).toEqual(['cache_lookups_total']);
  });
});
