// Every PromQL expression of the dashboards parses: promtool checks them as recording rules.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
// The dashboards package's own API (add @rnh/dashboards as a devDependency to import it by name).
import { panelQueries, variableQueries } from '../../dashboards/src/index.js';
import { findPromtool, promtool } from './support.js';

describe('dashboard queries', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnh-dashboard-queries-'));
  let bin: string;
  beforeAll(() => {
    bin = findPromtool();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are valid PromQL with the variables filled in', async () => {
    const expressions = [
      ...panelQueries({ app: 'api|worker', instance: '.*' }).map((query) => ({
        where: `${query.dashboard} / ${query.panel} / ${query.refId}`,
        expr: query.expr,
      })),
      ...variableQueries({ app: 'api|worker' }).map((query) => ({
        where: `${query.dashboard} / $${query.variable}`,
        expr: query.expr,
      })),
    ];
    const file = join(dir, 'dashboard-queries.yml');
    writeFileSync(
      file,
      stringify({
        groups: [
          {
            name: 'dashboard-queries',
            rules: expressions.map(({ where, expr }, index) => ({
              record: `dashboard_query_${index}`,
              expr,
              labels: { where },
            })),
          },
        ],
      }),
    );
    const result = await promtool(bin, ['check', 'rules', file]);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toContain(`${expressions.length} rules found`);
  });
});
