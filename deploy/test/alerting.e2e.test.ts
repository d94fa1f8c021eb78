// End to end, what an operator's pager sees under real faults: Redis, redis_exporter, the built api
// and worker, a real Prometheus with the committed rules (scraping and evaluating every 2 s, the
// rules' own `for:` unchanged), and a real Alertmanager running the committed routes and
// inhibitions, whose receivers post to a webhook this test serves and records.
// 0. redis_exporter serves what the rules read from it (the apps' own metrics are checked by
//    observability.e2e.test.ts).
// 1. The worker stops: RnhAppDown pages, then resolves when the worker is back.
// 2. Redis is down for 90 s: RnhRedisDown pages and nothing else does, during the outage and for
//    2 minutes after it; what else fires in Prometheus is held back (inhibited) in Alertmanager.
// 3. Redis restarts empty: the worker and the api put their job schedules back.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startRedisServer, waitFor, type AppProcess, type RedisServerHandle } from '@rnh/test-utils';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiTestEnv,
  startApiProcess,
  startWorkerProcess,
  type ApiProcess,
} from '../../apps/api/test/support/api-env.js';
import { metricNames } from '../../dashboards/src/promql.js';
import { PrometheusApi, renderAlertmanagerConfig, renderPrometheusConfig, rulesDir } from '../src/index.js';
import {
  alertmanagerAlerts,
  startAlertmanager,
  startRedisExporter,
  startWebhookRecorder,
  type AlertmanagerAlert,
  type WebhookRecorder,
} from './alerting-support.js';
import { stopApp, type DaemonHandle } from './daemon.js';
import { startPrometheus } from './observability-support.js';
import {
  familyServed,
  metricsOutsideTheApps,
  readYaml,
  servedSampleNames,
  yamlFiles,
  type RuleFile,
} from './support.js';

/** How long Redis stays down, and how long after it is back the webhook is watched. */
const OUTAGE_MS = 90_000;
const WATCH_AFTER_OUTAGE_MS = 120_000;
/** The queues whose schedules the worker (maintenance) and the api (network) declare. */
const SCHEDULED_QUEUES = { worker: 'maintenance', api: 'network' } as const;

const cleanups: Array<() => Promise<unknown>> = [];
let env: Record<string, string>;
let redis: RedisServerHandle;
let api: ApiProcess;
let worker: AppProcess;
let exporter: DaemonHandle;
let webhook: WebhookRecorder;
let alertmanager: DaemonHandle;
let prometheus: DaemonHandle;
let prom: PrometheusApi;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const hostPort = (url: string) => new URL(url).host;

/** The last lines of what every process printed, for a failure message. */
function logs(): string {
  return [
    `--- api\n${api?.output().slice(-3000) ?? ''}`,
    `--- worker\n${worker?.output().slice(-3000) ?? ''}`,
    `--- prometheus\n${prometheus?.output().slice(-2000) ?? ''}`,
    `--- alertmanager\n${alertmanager?.output().slice(-2000) ?? ''}`,
    `--- webhook\n${JSON.stringify(webhook?.alertsSince(0).map((a) => [a.receiver, a.status, a.labels.alertname]))}`,
  ].join('\n');
}

/** Waits for a condition; on timeout the error carries the processes' output. */
async function eventually<T>(check: () => T | Promise<T>, what: string, timeoutMs: number) {
  try {
    return await waitFor(check, { timeoutMs, intervalMs: 1_000, what });
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${logs()}`, { cause: error });
  }
}

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
}

/**
 * A user's traffic until stopped: reads with a Bearer token (served from the database while
 * Redis is down) and sign-ins (refused while it is down: the limiter fails closed).
 */
async function startTraffic(): Promise<{ stop(): Promise<Map<string, number>> }> {
  const email = `alerting-${Date.now()}@example.com`;
  const password = 'redis-went-away-for-a-while';
  expect((await post('/auth/signup', { email, password, displayName: 'Alerting' })).status).toBe(201);
  const { accessToken } = (await (await post('/auth/token', { email, password })).json()) as {
    accessToken: string;
  };
  const bearer = { authorization: `Bearer ${accessToken}` };
  const org = (await (await post('/orgs', { name: 'Alerting org' }, bearer)).json()) as {
    organization: { id: string };
  };
  const reads = [`/orgs/${org.organization.id}`, `/orgs/${org.organization.id}/referrals`, '/me'];
  const statuses = new Map<string, number>();
  let running = true;
  const loop = (async () => {
    while (running) {
      const answers = await Promise.allSettled([
        ...reads.map((path) =>
          fetch(`${api.url}${path}`, { headers: bearer, signal: AbortSignal.timeout(15_000) }),
        ),
        post('/auth/login', { email, password }),
      ]);
      for (const [index, answer] of answers.entries()) {
        const what = index < reads.length ? `GET ${reads[index]!.replace(/[0-9a-f-]{36}/g, ':id')}` : 'login';
        const key = `${what} ${answer.status === 'fulfilled' ? answer.value.status : 'error'}`;
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
      }
      await sleep(500);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return statuses;
    },
  };
}

/** The job scheduler ids BullMQ finds for each scheduled queue (keys as @rnh/queue names them). */
async function schedulerIds(client: Redis): Promise<Record<keyof typeof SCHEDULED_QUEUES, string[]>> {
  const read = async (queueName: string) => {
    const queue = new Queue(queueName, {
      connection: client,
      prefix: `${env.REDIS_KEY_PREFIX}queue:{${queueName}}`,
    });
    try {
      return (await queue.getJobSchedulers()).map((scheduler) => scheduler.key).sort();
    } finally {
      await queue.close();
    }
  };
  return { worker: await read(SCHEDULED_QUEUES.worker), api: await read(SCHEDULED_QUEUES.api) };
}

beforeAll(async () => {
  // As in docker-compose.yml: a memory limit and noeviction.
  redis = await startRedisServer({ args: ['--maxmemory', '256mb', '--maxmemory-policy', 'noeviction'] });
  cleanups.push(() => redis.destroy());
  exporter = await startRedisExporter(redis.url);
  cleanups.push(() => exporter.stop());
  env = apiTestEnv(redis.url, 'alerting', { REDIS_MAX_RETRY_DELAY: '500' });
  cleanups.push(async () => rmSync(env.API_DATA_DIR!, { recursive: true, force: true }));
  api = await startApiProcess(env);
  cleanups.push(() => stopApp(api));
  worker = await startWorkerProcess(env);
  // The worker is replaced in the first test: stop whichever runs at the end.
  cleanups.push(() => stopApp(worker));

  webhook = await startWebhookRecorder();
  cleanups.push(() => webhook.stop());
  alertmanager = await startAlertmanager(
    renderAlertmanagerConfig({ webhookUrl: webhook.url, groupWait: '1s', groupInterval: '5s' }),
  );
  cleanups.push(() => alertmanager.stop());
  prometheus = await startPrometheus(
    renderPrometheusConfig({
      targets: {
        api: [hostPort(api.metricsUrl)],
        worker: [hostPort(worker.url)],
        redis_exporter: [hostPort(exporter.url)],
      },
      alertmanagers: [hostPort(alertmanager.url)],
      scrapeInterval: '2s',
      evaluationInterval: '2s',
    }),
  );
  cleanups.push(() => prometheus.stop());
  prom = new PrometheusApi(prometheus.url);

  await eventually(
    async () => {
      const targets = await prom.targets();
      return targets.length === 3 && targets.every((target) => target.health === 'up');
    },
    'Prometheus to scrape the api, the worker and redis_exporter',
    60_000,
  );
  const broken = (await prom.rules()).flatMap((group) => group.rules.filter((rule) => rule.health === 'err'));
  expect(broken, 'rules that fail to evaluate').toEqual([]);
}, 600_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
}, 90_000);

describe('alerting: real faults through Prometheus and Alertmanager to the receivers', () => {
  it('has every redis_exporter metric the rules name from the real redis_exporter, and `up` for every target', async () => {
    const named = new Set(
      yamlFiles(rulesDir).flatMap((file) =>
        readYaml<RuleFile>(join(rulesDir, file)).groups.flatMap((group) =>
          group.rules.flatMap((rule) => metricNames(rule.expr)),
        ),
      ),
    );
    // Only a replica reports its link to the master; this Redis is a master.
    const replicaOnly = new Set(['redis_master_link_up']);
    const fromExporter = [...metricsOutsideTheApps()].filter(
      (name) => name !== 'up' && named.has(name) && !replicaOnly.has(name),
    );
    expect(fromExporter.length).toBeGreaterThan(5);
    const served = await servedSampleNames(`${exporter.url}/metrics`);
    expect(fromExporter.filter((name) => !familyServed(served, name))).toEqual([]);
    const up = await prom.query('up');
    expect(up.map((sample) => sample.metric.job).sort()).toEqual(['api', 'redis_exporter', 'worker']);
  });

  it('pages RnhAppDown when the worker stops, and sends it resolved when the worker is back', async () => {
    const from = webhook.notifications.length;
    const port = Number(new URL(worker.url).port);
    const workerDown = (labels: Record<string, string>) =>
      labels.alertname === 'RnhAppDown' && labels.job === 'worker';

    await stopApp(worker);
    const active = await eventually(
      async () =>
        (await alertmanagerAlerts(alertmanager.url)).find(
          (alert) => workerDown(alert.labels) && alert.status.state === 'active',
        ),
      'Alertmanager to hold RnhAppDown for the worker, active',
      240_000,
    );
    expect(active.receivers.map((receiver) => receiver.name)).toEqual(['ops-pager']);
    const paged = await eventually(
      () => webhook.alertsSince(from).find((alert) => workerDown(alert.labels) && alert.status === 'firing'),
      'the pager webhook to receive RnhAppDown for the worker',
      120_000,
    );
    expect(paged.receiver).toBe('ops-pager');
    expect(paged.labels).toMatchObject({ severity: 'critical', instance: `127.0.0.1:${port}` });
    expect(paged.annotations.runbook_url).toMatch(/#rnhappdown$/);

    // Back where Prometheus scrapes it.
    worker = await startWorkerProcess(env, { port });
    await eventually(
      () =>
        webhook.alertsSince(from).find((alert) => workerDown(alert.labels) && alert.status === 'resolved'),
      'the pager webhook to receive RnhAppDown resolved',
      180_000,
    );
    await eventually(
      async () => !(await alertmanagerAlerts(alertmanager.url)).some((alert) => workerDown(alert.labels)),
      'Alertmanager to list RnhAppDown no more',
      120_000,
    );
    // A dead worker pages once, for itself: its backlog and everything else stay quiet.
    expect([...new Set(webhook.alertsSince(from).map((alert) => alert.labels.alertname))]).toEqual([
      'RnhAppDown',
    ]);
  }, 600_000);

  it('pages only RnhRedisDown for a Redis outage, during it and 2 minutes after; what follows from it is inhibited', async () => {
    const from = webhook.notifications.length;
    const node = `127.0.0.1:${redis.port}`;
    const traffic = await startTraffic();

    // Every 2 s: what fires in Prometheus besides the outage alerts, and what Alertmanager makes
    // of it (an inhibited alert is `suppressed`, with the fingerprint of the alert that holds it).
    const firedInPrometheus = new Set<string>();
    const statesInAlertmanager = new Map<string, Set<string>>();
    let outageRecent: AlertmanagerAlert | undefined;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        try {
          for (const alert of await prom.alerts())
            if (alert.state === 'firing' && !/^RnhRedis(Down|OutageRecent)$/.test(alert.labels.alertname!))
              firedInPrometheus.add(alert.labels.alertname!);
          for (const alert of await alertmanagerAlerts(alertmanager.url)) {
            const name = alert.labels.alertname!;
            if (name === 'RnhRedisOutageRecent') outageRecent = alert;
            if (/^RnhRedis(Down|OutageRecent)$/.test(name)) continue;
            const state =
              alert.status.state === 'suppressed' && alert.status.inhibitedBy.length > 0
                ? 'inhibited'
                : alert.status.state;
            statesInAlertmanager.set(name, (statesInAlertmanager.get(name) ?? new Set()).add(state));
          }
        } catch {
          // a slow answer: the next round
        }
        await sleep(2_000);
      }
    })();

    try {
      await redis.stop();
      const stoppedAt = Date.now();
      const paged = await eventually(
        () =>
          webhook
            .alertsSince(from)
            .find((alert) => alert.labels.alertname === 'RnhRedisDown' && alert.status === 'firing'),
        'the pager webhook to receive RnhRedisDown (the apps must keep answering /metrics with Redis down)',
        300_000,
      );
      expect(paged.receiver).toBe('ops-pager');
      expect(paged.labels).toMatchObject({ severity: 'critical', node });
      expect(
        (await alertmanagerAlerts(alertmanager.url)).find(
          (alert) => alert.labels.alertname === 'RnhRedisDown' && alert.status.state === 'active',
        ),
        'RnhRedisDown active in Alertmanager',
      ).toBeDefined();

      await sleep(Math.max(0, stoppedAt + OUTAGE_MS - Date.now()));
      await redis.restart();
      const backAt = Date.now();
      for (const app of [api, worker])
        await eventually(
          async () => (await fetch(`${app.url}/ready`)).status === 200,
          `${app.url}/ready`,
          60_000,
        );
      await eventually(
        () =>
          webhook
            .alertsSince(from)
            .find((alert) => alert.labels.alertname === 'RnhRedisDown' && alert.status === 'resolved'),
        'the pager webhook to receive RnhRedisDown resolved',
        180_000,
      );
      // Long enough for the alerts that follow an outage (error budgets, cache ratios, `for: 2m`
      // and less) to fire in Prometheus, and for Alertmanager to show what it does with them.
      await sleep(Math.max(0, backAt + WATCH_AFTER_OUTAGE_MS - Date.now()));
    } finally {
      watching = false;
      await watcher;
      const statuses = await traffic.stop();
      console.log(`traffic during and after the outage: ${JSON.stringify([...statuses])}`);
    }

    // The pager and the ticket queue heard of the outage alone.
    expect(
      [...new Set(webhook.alertsSince(from).map((alert) => alert.labels.alertname))],
      `alerts notified since Redis went down\n${logs()}`,
    ).toEqual(['RnhRedisDown']);
    // What holds the others back: never notified (receiver drop), and held by Alertmanager.
    expect(outageRecent?.receivers.map((receiver) => receiver.name)).toEqual(['drop']);
    // Every alert that fired in Prometheus meanwhile reached Alertmanager and was inhibited there.
    console.log(
      `fired in Prometheus besides the outage alerts: ${[...firedInPrometheus].join(', ') || 'none'}`,
    );
    for (const name of firedInPrometheus) {
      await eventually(
        async () =>
          statesInAlertmanager.get(name)?.has('inhibited') ||
          (await alertmanagerAlerts(alertmanager.url)).some(
            (alert) => alert.labels.alertname === name && alert.status.inhibitedBy.length > 0,
          ),
        `${name} (firing in Prometheus) inhibited in Alertmanager`,
        60_000,
      );
    }
    for (const [name, states] of statesInAlertmanager)
      expect(
        [...states].filter((state) => state === 'active'),
        `${name} in Alertmanager`,
      ).toEqual([]);
  }, 720_000);

  it("puts the worker's and the api's job schedules back within a minute of Redis restarting empty", async () => {
    const client = new Redis(redis.url, { maxRetriesPerRequest: null });
    try {
      const declared = await eventually(
        async () => {
          const ids = await schedulerIds(client);
          return ids.worker.length > 0 && ids.api.length > 0 && ids;
        },
        'the schedules of both apps in Redis',
        60_000,
      );
      const marker = `${env.REDIS_KEY_PREFIX}alerting:marker`;
      await client.set(marker, 'before the restart');

      await redis.restart(); // no persistence: it comes back empty
      expect(await client.get(marker), 'Redis came back without its data').toBeNull();
      await eventually(
        async () => JSON.stringify(await schedulerIds(client)) === JSON.stringify(declared),
        `the schedules back: ${JSON.stringify(declared)}`,
        60_000,
      );
    } finally {
      client.disconnect();
    }
  }, 180_000);
});
