// What the alerting e2e test starts besides Redis, the apps and Prometheus: a real Alertmanager,
// redis_exporter, and the webhook the Alertmanager's receivers post to, which records every
// notification.
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { freePort } from '@rnh/test-utils';
import { startDaemon, type DaemonHandle } from './daemon.js';
import { findBinary } from './support.js';

/** prometheus-alertmanager from ALERTMANAGER_BIN or the PATH; missing, it throws (never skips). */
export function findAlertmanager(env: NodeJS.ProcessEnv = process.env): string {
  return findBinary('prometheus-alertmanager', 'ALERTMANAGER_BIN', 'prometheus-alertmanager', env);
}

/** prometheus-redis-exporter from REDIS_EXPORTER_BIN or the PATH; missing, it throws (never skips). */
export function findRedisExporter(env: NodeJS.ProcessEnv = process.env): string {
  return findBinary('prometheus-redis-exporter', 'REDIS_EXPORTER_BIN', 'prometheus-redis-exporter', env);
}

/** Alertmanager with this config on a free port, its data in a temp dir, clustering off. */
export function startAlertmanager(config: string): Promise<DaemonHandle> {
  return startDaemon({
    name: 'alertmanager',
    binary: findAlertmanager(),
    prepare: (dir) => writeFileSync(join(dir, 'alertmanager.yml'), config),
    args: (dir, port) => [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // Empty: no gossip port, a single instance.
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    readyPath: '/-/ready',
  });
}

/**
 * redis_exporter for the Redis at `redisUrl`, on a free port, with the system metrics the rules use
 * (as docker-compose.yml sets it up). It answers even while Redis is down.
 */
export function startRedisExporter(redisUrl: string): Promise<DaemonHandle> {
  return startDaemon({
    name: 'redis-exporter',
    binary: findRedisExporter(),
    args: (_dir, port) => [
      '-redis.addr',
      redisUrl,
      '-web.listen-address',
      `127.0.0.1:${port}`,
      '-include-system-metrics',
    ],
    readyPath: '/metrics',
  });
}

/** One alert of a notification, in Alertmanager's webhook format (version 4). */
export interface NotifiedAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
}

export interface Notification {
  receiver: string;
  status: 'firing' | 'resolved';
  groupLabels: Record<string, string>;
  alerts: NotifiedAlert[];
}

export interface WebhookRecorder {
  url: string;
  /** Every notification received so far, in order. */
  readonly notifications: Notification[];
  /** Each alert of each notification since `from` (an index into `notifications`), with its receiver. */
  alertsSince(from: number): Array<NotifiedAlert & { receiver: string }>;
  stop(): Promise<void>;
}

/** A webhook receiver on a free port that records every notification Alertmanager posts. */
export async function startWebhookRecorder(): Promise<WebhookRecorder> {
  const notifications: Notification[] = [];
  const server = createServer((request, response) => {
    readBody(request)
      .then((body) => {
        notifications.push(JSON.parse(body) as Notification);
        response.writeHead(200).end();
      })
      .catch(() => response.writeHead(400).end());
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}/alerts`,
    notifications,
    alertsSince: (from) =>
      notifications
        .slice(from)
        .flatMap((notification) =>
          notification.alerts.map((alert) => ({ ...alert, receiver: notification.receiver })),
        ),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => resolve(body));
    request.on('error', reject);
  });
}

/** An alert as Alertmanager's API v2 lists it (`GET /api/v2/alerts`: not yet resolved ones). */
export interface AlertmanagerAlert {
  labels: Record<string, string>;
  startsAt: string;
  endsAt: string;
  receivers: Array<{ name: string }>;
  status: { state: 'active' | 'suppressed' | 'unprocessed'; inhibitedBy: string[]; silencedBy: string[] };
}

/** The alerts Alertmanager holds (active, inhibited or silenced). */
export async function alertmanagerAlerts(alertmanagerUrl: string): Promise<AlertmanagerAlert[]> {
  const response = await fetch(`${alertmanagerUrl}/api/v2/alerts`, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`Alertmanager /api/v2/alerts answered ${response.status}`);
  return (await response.json()) as AlertmanagerAlert[];
}
