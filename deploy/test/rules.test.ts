// The alert and recording rules: promtool checks them, runs their unit tests, and every
// rule is shown to fire (or record) when it should and to stay quiet when it should.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  prometheusConfigFile,
  renderPrometheusConfig,
  RUNBOOK_URL,
  rulesDir,
  ruleTestsDir,
  runbooksFile,
} from '../src/index.js';
import {
  findPromtool,
  markdownAnchors,
  promtool,
  readYaml,
  yamlFiles,
  type RuleFile,
  type RuleTestFile,
} from './support.js';

const ruleFiles = yamlFiles(rulesDir);
const testFiles = yamlFiles(ruleTestsDir);
const rules = ruleFiles.flatMap((file) =>
  readYaml<RuleFile>(join(rulesDir, file)).groups.flatMap((group) =>
    group.rules.map((rule) => ({ file, ...rule })),
  ),
);
const alerts = rules.filter((rule) => rule.alert);
const recordings = rules.filter((rule) => rule.record);
const ruleTests = testFiles.map((file) => ({ file, ...readYaml<RuleTestFile>(join(ruleTestsDir, file)) }));

let bin: string;
beforeAll(() => {
  bin = findPromtool();
});

describe('promtool', () => {
  it('is installed (PROMTOOL_BIN or the PATH)', async () => {
    expect(bin).toBeTruthy();
    const version = await promtool(bin, ['--version']);
    expect(version.status, version.output).toBe(0);
  });

  it('missing, fails with what to install (never skips)', () => {
    expect(() => findPromtool({ PATH: '' })).toThrow(/apt-get install prometheus/);
    expect(() => findPromtool({ PROMTOOL_BIN: '/nonexistent/promtool' })).toThrow(/PROMTOOL_BIN/);
  });

  it('check rules accepts every rule file', async () => {
    expect(ruleFiles.length).toBeGreaterThan(0);
    const result = await promtool(bin, ['check', 'rules', ...ruleFiles.map((file) => join(rulesDir, file))]);
    expect(result.status, result.output).toBe(0);
  });

  it('check config accepts prometheus.yml and the rule files it loads', async () => {
    const result = await promtool(bin, ['check', 'config', '--syntax-only', prometheusConfigFile]);
    expect(result.status, result.output).toBe(0);
    const withRules = await promtool(bin, ['check', 'config', prometheusConfigFile]);
    expect(withRules.status, withRules.output).toBe(0);
    for (const file of ruleFiles) expect(withRules.output).toContain(`rules/${file}`);
  });

  describe('a prometheus.yml rendered for other targets', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnh-prometheus-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('passes check config and loads every rule file by absolute path', async () => {
      const file = join(dir, 'prometheus.yml');
      writeFileSync(
        file,
        renderPrometheusConfig({
          targets: { api: ['127.0.0.1:43000'], worker: ['127.0.0.1:43001'] },
          scrapeInterval: '5s',
          evaluationInterval: '5s',
        }),
      );
      const result = await promtool(bin, ['check', 'config', file]);
      expect(result.status, result.output).toBe(0);
      expect(result.output).toContain(`${ruleFiles.length} rule files found`);
    });
  });

  it.each(testFiles)('test rules %s passes', async (file) => {
    const result = await promtool(bin, ['test', 'rules', file], ruleTestsDir);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toContain('SUCCESS');
  });
});

describe('rule unit tests', () => {
  it('cover every rule file', () => {
    const loaded = new Set(
      ruleTests.flatMap((test) => test.rule_files.map((file) => basename(resolve(ruleTestsDir, file)))),
    );
    expect([...ruleFiles].filter((file) => !loaded.has(file))).toEqual([]);
  });

  it('show every alert firing and every alert staying quiet', () => {
    const cases = ruleTests.flatMap((test) => test.tests.flatMap((group) => group.alert_rule_test ?? []));
    const missing: string[] = [];
    for (const { alert } of alerts) {
      const own = cases.filter((testCase) => testCase.alertname === alert);
      if (!own.some((testCase) => (testCase.exp_alerts ?? []).length > 0))
        missing.push(`${alert}: no test where it fires`);
      if (!own.some((testCase) => (testCase.exp_alerts ?? []).length === 0))
        missing.push(`${alert}: no test where it stays quiet`);
    }
    expect(missing).toEqual([]);
  });

  it('evaluate every recording rule, directly or through an alert that is shown firing', () => {
    const exprTests = ruleTests.flatMap((test) =>
      test.tests.flatMap((group) => (group.promql_expr_test ?? []).map((testCase) => testCase.expr)),
    );
    const firingAlerts = new Set(
      ruleTests.flatMap((test) =>
        test.tests.flatMap((group) =>
          (group.alert_rule_test ?? [])
            .filter((testCase) => (testCase.exp_alerts ?? []).length > 0)
            .map((testCase) => testCase.alertname),
        ),
      ),
    );
    const uses = (expr: string, name: string) => new RegExp(`(^|[^\\w:])${name}([^\\w:]|$)`).test(expr);
    const untested = recordings
      .map((rule) => rule.record!)
      .filter(
        (name) =>
          !exprTests.some((expr) => uses(expr, name)) &&
          !alerts.some((alert) => firingAlerts.has(alert.alert!) && uses(alert.expr, name)),
      );
    expect(untested).toEqual([]);
  });
});

describe('rules', () => {
  it('have unique names', () => {
    const names = rules.map((rule) => rule.alert ?? `record ${rule.record}`);
    const alertNames = alerts.map((rule) => rule.alert);
    expect(new Set(alertNames).size).toBe(alertNames.length);
    expect(names.length).toBeGreaterThan(0);
  });

  it('record under the level:metric:operations convention, prefixed rnh:', () => {
    for (const { record } of recordings) expect(record).toMatch(/^rnh:[a-z0-9_]+:[a-z0-9_]+$/);
  });

  it('give every alert a severity, a summary, a description and a runbook section', () => {
    const runbookAnchors = markdownAnchors(readFileSync(runbooksFile, 'utf8'));
    for (const alert of alerts) {
      // "none": an alert that only inhibits others; Alertmanager drops it (alertmanager.test.ts).
      expect(['critical', 'warning', 'none'], alert.alert).toContain(alert.labels?.severity);
      expect(alert.annotations?.summary, alert.alert).toBeTruthy();
      expect(alert.annotations?.description, alert.alert).toBeTruthy();
      const url = alert.annotations?.runbook_url ?? '';
      expect(url, alert.alert).toBe(`${RUNBOOK_URL}#${alert.alert!.toLowerCase()}`);
      expect(runbookAnchors, `docs/runbooks.md has no section ${alert.alert}`).toContain(
        alert.alert!.toLowerCase(),
      );
    }
  });

  it('include the alerts the runbook documents', () => {
    expect(alerts.map((alert) => alert.alert).sort()).toEqual([
      'RnhApiErrorBudgetBurnFast',
      'RnhApiErrorBudgetBurnSlow',
      'RnhApiLatencyBudgetBurnFast',
      'RnhApiLatencyBudgetBurnSlow',
      'RnhAppDown',
      'RnhAppMetricsAbsent',
      'RnhCacheHitRatioCollapsed',
      'RnhCacheHitRatioLow',
      'RnhOutboxBacklogStuck',
      'RnhQueueJobsDeadLettered',
      'RnhQueueOldestJobTooOld',
      'RnhQueueScheduleMissing',
      'RnhRateLimiterFailingClosed',
      'RnhRateLimiterFailingOpen',
      'RnhRealtimeClientsDropped',
      'RnhRealtimeDeliveryLagHigh',
      'RnhRedisClientErrorBudgetBurnFast',
      'RnhRedisClientErrorBudgetBurnSlow',
      'RnhRedisDown',
      'RnhRedisExporterDown',
      'RnhRedisMemoryFull',
      'RnhRedisMemoryNearMax',
      'RnhRedisMetricsAbsent',
      'RnhRedisOutageRecent',
      'RnhRedisPersistenceFailing',
      'RnhRedisRejectedConnections',
      'RnhRedisReplicaLinkDown',
      'RnhRedisReplicaLost',
      'RnhRedisSystemMemoryHigh',
      'RnhRedisTooManyConnections',
      'RnhRedisUnreachableFromApp',
    ]);
  });
});
