// Rules are built only from what docs/metrics.md lists (or from other rules' records).
import { join } from 'node:path';
import { catalogedMetricNames } from '@rnh/test-utils';
import { describe, expect, it } from 'vitest';
// The PromQL reader the dashboards use (add @rnh/dashboards as a devDependency to import it by name).
import { isCataloged, metricNames } from '../../dashboards/src/promql.js';
import { repoRoot, rulesDir, ruleTestsDir } from '../src/index.js';
import { readYaml, yamlFiles, type RuleFile, type RuleTestFile } from './support.js';

const catalog = catalogedMetricNames(join(repoRoot, 'docs', 'metrics.md'));
const rules = yamlFiles(rulesDir).flatMap((file) =>
  readYaml<RuleFile>(join(rulesDir, file)).groups.flatMap((group) =>
    group.rules.map((rule) => ({ file, ...rule })),
  ),
);
const recorded = new Set(rules.flatMap((rule) => (rule.record ? [rule.record] : [])));

describe('metrics in the rules', () => {
  it('reads the catalog', () => {
    expect(catalog).toContain('redis_server_up');
    expect(catalog.length).toBeGreaterThan(40);
  });

  it('are all listed in docs/metrics.md, or recorded by a rule', () => {
    const unknown = rules.flatMap((rule) =>
      metricNames(rule.expr)
        .filter((name) => !isCataloged(name, catalog) && !recorded.has(name))
        .map((name) => `${rule.file} ${rule.alert ?? rule.record}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it('use recorded names only where a rule records them', () => {
    const undefinedRecords = rules.flatMap((rule) =>
      metricNames(rule.expr)
        .filter((name) => name.includes(':') && !recorded.has(name))
        .map((name) => `${rule.alert ?? rule.record}: ${name}`),
    );
    expect(undefinedRecords).toEqual([]);
  });

  it('are fed to the rule tests only as cataloged series', () => {
    const unknown = yamlFiles(ruleTestsDir).flatMap((file) =>
      readYaml<RuleTestFile>(join(ruleTestsDir, file)).tests.flatMap((test) =>
        (test.input_series ?? [])
          .map((input) => /^\s*([a-zA-Z_:][\w:]*)/.exec(input.series)?.[1] ?? input.series)
          .filter((name) => !isCataloged(name, catalog))
          .map((name) => `${file}: ${name}`),
      ),
    );
    expect(unknown).toEqual([]);
  });
});
