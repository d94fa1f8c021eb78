// The worker's composition root: builds every dependency once from the config and owns the shutdown order.
import { hostname } from 'node:os';
import { RedisConnections } from '@rnh/redis-client';
import { createLogger, createMetricsRegistry, type Logger } from '@rnh/telemetry';
import type { Registry } from 'prom-client';
import type { WorkerConfig } from './config.js';
import { Heartbeat } from './heartbeat.js';

export interface WorkerContainer {
  config: WorkerConfig;
  logger: Logger;
  registry: Registry;
  redis: RedisConnections;
  heartbeat: Heartbeat;
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

  let shuttingDown = false;
  let closing: Promise<void> | undefined;
  return {
    config,
    logger,
    registry,
    redis,
    heartbeat,
    isShuttingDown: () => shuttingDown,
    shutdown() {
      shuttingDown = true;
      closing ??= (async () => {
        await heartbeat.stop();
        await redis.close(config.shutdownTimeoutMs);
      })();
      return closing;
    },
  };
}
