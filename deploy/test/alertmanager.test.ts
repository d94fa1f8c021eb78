// The Alertmanager config as amtool reads it: valid, every severity routed where it belongs,
// and every alert of the rules reaching a receiver (or, for inhibit-only alerts, none).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  alertmanagerConfigFile,
  composeAlertmanagerConfig,
  renderAlertmanagerConfig,
  rulesDir,
  type AlertmanagerConfig,
  type AlertmanagerRoute,
} from '../src/index.js';
import { findAlertmanager, findRedisExporter } from './alerting-support.js';
import { findBinary, readYaml, runTool, yamlFiles, type RuleFile } from './support.js';

let amtool: string;
beforeAll(() => {
  amtool = findBinary('amtool', 'AMTOOL_BIN', 'prometheus-alertmanager');
});

function run(args: string[]): Promise<{ status: number; output: string }> {
  return runTool(amtool, args);
}

/** The receiver amtool routes an alert with these labels to. */
async function receiverFor(
  labels: Record<string, string>,
  configFile = alertmanagerConfigFile,
): Promise<string> {
  const result = await run([
    'config',
    'routes',
    'test',
    `--config.file=${configFile}`,
    ...Object.entries(labels).map(([name, value]) => `${name}=${value}`),
  ]);
  expect(result.status, result.output).toBe(0);
  return result.output
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('Warning'))
    .join(',');
}

const alerts = yamlFiles(rulesDir).flatMap((file) =>
  readYaml<RuleFile>(join(rulesDir, file)).groups.flatMap((group) =>
    group.rules.filter((rule) => rule.alert),
  ),
);

describe('alertmanager.yml', () => {
  it('passes amtool check-config', async () => {
    const result = await run(['check-config', alertmanagerConfigFile]);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toContain('SUCCESS');
  });

  it('pages for critical alerts, files warnings, and drops inhibit-only alerts', async () => {
    expect(await receiverFor({ alertname: 'RnhRedisDown', severity: 'critical', node: 'redis:6379' })).toBe(
      'ops-pager',
    );
    expect(await receiverFor({ alertname: 'RnhCacheHitRatioLow', severity: 'warning' })).toBe('ops-tickets');
    expect(await receiverFor({ alertname: 'RnhRedisOutageRecent', severity: 'none' })).toBe('drop');
  });

  it('sends every alert of the rules to a receiver that notifies, except inhibit-only ones', async () => {
    expect(alerts.length).toBeGreaterThan(20);
    for (const alert of alerts) {
      const receiver = await receiverFor({ alertname: alert.alert!, severity: alert.labels!.severity! });
      if (alert.labels!.severity === 'none') expect(receiver, alert.alert).toBe('drop');
      else expect(['ops-pager', 'ops-tickets'], alert.alert).toContain(receiver);
    }
  });

  it('inhibits the degradation alerts during a Redis outage and after it, by alerts that exist', () => {
    const config = readYaml<{
      inhibit_rules: Array<{ source_matchers: string[]; target_matchers: string[] }>;
    }>(alertmanagerConfigFile);
    const names = new Set(alerts.map((alert) => alert.alert!));
    const matches = (matcher: string, name: string) => {
      const [, op, pattern] = /^alertname(=~|=)"(.*)"$/.exec(matcher) ?? [];
      if (!op) return false;
      return op === '=' ? pattern === name : new RegExp(`^(?:${pattern})$`).test(name);
    };
    const outage = config.inhibit_rules.find((rule) =>
      rule.source_matchers.some((matcher) => matches(matcher, 'RnhRedisOutageRecent')),
    );
    expect(outage).toBeDefined();
    expect(outage!.source_matchers.some((matcher) => matches(matcher, 'RnhRedisDown'))).toBe(true);
    const inhibited = [...names].filter((name) => outage!.target_matchers.some((m) => matches(m, name)));
    expect(inhibited).toEqual(
      expect.arrayContaining([
        'RnhRateLimiterFailingOpen',
        'RnhRateLimiterFailingClosed',
        'RnhRedisClientErrorBudgetBurnFast',
        'RnhRedisUnreachableFromApp',
      ]),
    );
    // The outage alert itself and what an operator must still hear about are never held back.
    for (const kept of ['RnhRedisDown', 'RnhAppDown', 'RnhRedisPersistenceFailing', 'RnhRedisMemoryFull'])
      expect(inhibited).not.toContain(kept);
  });
});

describe('amtool, Alertmanager and redis_exporter', () => {
  it('missing, fail with what to install (never skip)', () => {
    expect(() => findBinary('amtool', 'AMTOOL_BIN', 'prometheus-alertmanager', { PATH: '' })).toThrow(
      /apt-get install prometheus-alertmanager/,
    );
    // The alerting end-to-end test runs both.
    expect(() => findAlertmanager({ PATH: '' })).toThrow(/apt-get install prometheus-alertmanager/);
    expect(() => findRedisExporter({ PATH: '' })).toThrow(/apt-get install prometheus-redis-exporter/);
  });
});

describe('renderAlertmanagerConfig', () => {
  const webhookUrl = 'http://127.0.0.1:9999/alerts';
  const text = renderAlertmanagerConfig({ webhookUrl, groupWait: '1s', groupInterval: '5s' });
  const rendered = parse(text) as AlertmanagerConfig;
  const committed = composeAlertmanagerConfig();
  let dir: string;
  let renderedFile: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rnh-alertmanager-config-'));
    renderedFile = join(dir, 'alertmanager.yml');
    writeFileSync(renderedFile, text);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Every route of the tree, the root first. */
  const routes = (route: AlertmanagerRoute): AlertmanagerRoute[] => [
    route,
    ...(route.routes ?? []).flatMap(routes),
  ];

  it('passes amtool check-config', async () => {
    const result = await run(['check-config', renderedFile]);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toContain('SUCCESS');
  });

  it('routes every alert of the rules to the same receiver as the committed config', async () => {
    for (const alert of alerts) {
      const labels = { alertname: alert.alert!, severity: alert.labels!.severity! };
      expect(await receiverFor(labels, renderedFile), alert.alert).toBe(await receiverFor(labels));
    }
  });

  it('keeps the grouping and the inhibitions, and shortens the group timers wherever they are set', () => {
    expect(rendered.inhibit_rules).toEqual(committed.inhibit_rules);
    const before = routes(committed.route);
    const after = routes(rendered.route);
    expect(
      after.map((route) => [route.receiver, route.matchers, route.group_by, route.repeat_interval]),
    ).toEqual(before.map((route) => [route.receiver, route.matchers, route.group_by, route.repeat_interval]));
    for (const [index, route] of after.entries()) {
      expect(route.group_wait).toBe(before[index]!.group_wait === undefined ? undefined : '1s');
      expect(route.group_interval).toBe(before[index]!.group_interval === undefined ? undefined : '5s');
    }
    expect(rendered.route.group_wait).toBe('1s');
    expect(rendered.route.group_interval).toBe('5s');
  });

  it('sends what the committed receivers send to the webhook, resolved too, and mails nothing', () => {
    expect(rendered.receivers.map((receiver) => receiver.name)).toEqual(
      committed.receivers.map((receiver) => receiver.name),
    );
    const byName = new Map(rendered.receivers.map((receiver) => [receiver.name, receiver]));
    for (const name of ['ops-pager', 'ops-tickets'])
      expect(byName.get(name)).toEqual({ name, webhook_configs: [{ url: webhookUrl, send_resolved: true }] });
    expect(byName.get('drop')).toEqual({ name: 'drop' });
    expect(text).not.toMatch(/email_configs|smtp_/);
  });
});
