// The worker's composition root: builds every dependency once from the config and owns the shutdown order.
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { emailQueue, type EmailJobs } from '@rnh/jobs';
import { createMailer, type Mailer } from '@rnh/mail';
import { QueueWorker } from '@rnh/queue';
import { RedisConnections } from '@rnh/redis-client';
import { createLogger, createMetricsRegistry, type Logger } from '@rnh/telemetry';
import type { Registry } from 'prom-client';
import type { WorkerConfig } from './config.js';
import { emailHandlers } from './email-handlers.js';
import { Heartbeat } from './heartbeat.js';

export interface WorkerContainer {
  config: WorkerConfig;
  logger: Logger;
  registry: Registry;
  redis: RedisConnections;
  heartbeat: Heartbeat;
  mailer: Mailer;
  /** The queue workers this process runs; started by startWorker, closed first at shutdown. */
  queueWorkers: { email: QueueWorker<EmailJobs> };
  isShuttingDown(): boolean;
  /** Stops work first, then closes Redis. Idempotent. */
  shutdown(): Promise<void>;
}

export function createContainer(config: WorkerConfig, overrides: { logger?: Logger } = {}): WorkerContainer {
  const logger =
    overrides.logger ??
    createLogger({ name: config.serviceName, level: config.log.level, pretty: config.log.pretty });
  const registry = createMetricsRegistry({ defaultLabels: { app: 'worker' } });
  const redis = new RedisConnections({ options: config.redis, logger, registry });
  const heartbeat = new Heartbeat({
    redis: redis.shared('commands'),
    key: redis.keys.key('workers', `${hostname()}:${process.pid}`),
    intervalMs: config.heartbeatIntervalMs,
    logger,
  });

  const mailer = createMailer({
    smtpUrl: config.mail.smtpUrl,
    mailDir: join(resolve(config.dataDir), 'mail'),
    from: config.mail.from,
    logger,
  });
  const workerName = `${hostname()}:${process.pid}`;
  const queueDeps = { connections: redis, logger, registry };
  const queueWorkers = {
    email: new QueueWorker(queueDeps, emailQueue, {
      concurrency: config.emailConcurrency,
      name: workerName,
      shutdownTimeoutMs: config.shutdownTimeoutMs,
      handlers: emailHandlers(mailer),
    }),
  };

  let shuttingDown = false;
  let closing: Promise<void> | undefined;
  return {
    config,
    logger,
    registry,
    redis,
    heartbeat,
    mailer,
    queueWorkers,
    isShuttingDown: () => shuttingDown,
    shutdown() {
      shuttingDown = true;
      closing ??= (async () => {
        // Running jobs finish (or go back to the queue) before anything they use is closed.
        await Promise.all(Object.values(queueWorkers).map((worker) => worker.close()));
        await heartbeat.stop();
        await mailer.close();
        await redis.close(config.shutdownTimeoutMs);
      })();
      return closing;
    },
  };
}
