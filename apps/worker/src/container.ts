// The worker's composition root: builds every dependency once from the config and owns the shutdown order.
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import {
  type EmailJobs,
  emailQueue,
  keyspaces,
  liveEvents,
  type MaintenanceJobs,
  maintenanceQueue,
} from '@rnh/jobs';
import { createMailer, type Mailer } from '@rnh/mail';
import { QueueWorker } from '@rnh/queue';
import { RedisConnections } from '@rnh/redis-client';
import { OneTimeTokens, RefreshTokens, SessionIndex } from '@rnh/sessions';
import { createLogger, createMetricsRegistry, type Logger } from '@rnh/telemetry';
import type { Registry } from 'prom-client';
import type { WorkerConfig } from './config.js';
import { emailHandlers } from './email-handlers.js';
import { EventFeed } from '@rnh/realtime';
import { maintenanceHandlers } from './maintenance-handlers.js';
import { Heartbeat } from './heartbeat.js';

export interface WorkerContainer {
  config: WorkerConfig;
  logger: Logger;
  registry: Registry;
  redis: RedisConnections;
  heartbeat: Heartbeat;
  mailer: Mailer;
  /** The queue workers this process runs; started by startWorker, closed first at shutdown. */
  queueWorkers: { email: QueueWorker<EmailJobs>; maintenance: QueueWorker<MaintenanceJobs> };
  isShuttingDown(): boolean;
  /** Stops work first, then closes Redis. Idempotent. */
  shutdown(): Promise<void>;
}

export function createContainer(config: WorkerConfig, overrides: { logger?: Logger } = {}): WorkerContainer {
  const logger =
    overrides.logger ??
    createLogger({
      name: config.serviceName,
      level: config.log.level,
      pretty: config.log.pretty,
      errorStacks: config.nodeEnv !== 'production',
    });
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
  const queueDeps = { redis, logger, registry };
  // The api's session and token stores, seen from here only to prune them (same keyspaces).
  const commands = redis.shared('commands');
  const sessionStores = {
    sessionIndex: new SessionIndex(
      { redis: commands, keys: redis.keys.child(keyspaces.sessionIndex), registry, logger },
      { sessionKeys: redis.keys.child(keyspaces.sessions) },
    ),
    // Lifetimes matter only to issuing, which the worker never does.
    oneTimeTokens: new OneTimeTokens(
      { redis: commands, keys: redis.keys.child(keyspaces.oneTimeTokens), registry, logger },
      { ttlSeconds: { email_verification: 86_400, password_reset: 3_600 } },
    ),
    refreshTokens: new RefreshTokens({
      redis: commands,
      keys: redis.keys.child(keyspaces.refreshTokens),
      registry,
      logger,
    }),
  };
  const queueWorkers = {
    email: new QueueWorker(queueDeps, emailQueue, {
      concurrency: config.emailConcurrency,
      name: workerName,
      sealingKey: config.jobSecretKey,
      shutdownTimeoutMs: config.shutdownTimeoutMs,
      handlers: emailHandlers(mailer, {
        live: new EventFeed(
          { redis: commands, keys: redis.keys.child(keyspaces.realtime), registry, logger },
          { events: liveEvents },
        ),
        logger,
      }),
    }),
    maintenance: new QueueWorker(queueDeps, maintenanceQueue, {
      concurrency: 1,
      name: workerName,
      shutdownTimeoutMs: config.shutdownTimeoutMs,
      handlers: maintenanceHandlers(sessionStores),
      schedules: {
        'prune-session-index': { job: 'prune_session_index', payload: {}, cron: '17 * * * *' },
        'prune-token-subjects': { job: 'prune_token_subjects', payload: {}, cron: '47 * * * *' },
      },
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
