// Dashboards are built only from docs/metrics.md and the recording rules in deploy/.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { catalogedMetricNames } from '@rnh/test-utils';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { dashboardsDir, isCataloged, metricNames, panelQueries, variableQueries } from '../src/index.js';

const repoRoot = join(dashboardsDir, '..');
const catalog = catalogedMetricNames(join(repoRoot, 'docs', 'metrics.md'));
const rulesDir = join(repoRoot, 'deploy', 'prometheus', 'rules');
const recorded = new Set(
  readdirSync(rulesDir)
    .filter((file) => file.endsWith('.yml'))
    .flatMap((file) =>
      (
        parse(readFileSync(join(rulesDir, file), 'utf8')) as {
          groups: Array<{ rules: Array<{ record?: string }> }>;
        }
      ).groups
        .flatMap((group) => group.rules)
        .flatMap((rule) => (rule.record ? [rule.record] : [])),
    ),
);

describe('metrics in the dashboards', () => {
  it('are read from the catalog and the rules', () => {
    expect(catalog).toContain('cache_lookups_total');
    expect(recorded.size).toBeGreaterThan(0);
  });

  it('are all listed in docs/metrics.md, or recorded by a rule in deploy/prometheus/rules', () => {
    const expressions = [
      ...panelQueries().map((query) => ({
        where: `${query.dashboard} / ${query.panel}`,
        expr: query.template,
      })),
      ...variableQueries().map((query) => ({
        where: `${query.dashboard} / $${query.variable}`,
        expr: query.expr,
      })),
    ];
    const unknown = expressions.flatMap(({ where, expr }) =>
      metricNames(expr)
        .filter((name) => !isCataloged(name, catalog) && !recorded.has(name))
        .map((name) => `${where}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });
});
