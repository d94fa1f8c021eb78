// The api's composition root: builds every dependency once from the config and owns the shutdown order.
import { RedisConnections } from '@rnh/redis-client';
import { createLogger, createMetricsRegistry, type Logger } from '@rnh/telemetry';
import type { Registry } from 'prom-client';
import type { ApiConfig } from './config.js';

export interface ApiContainer {
  config: ApiConfig;
  logger: Logger;
  registry: Registry;
  redis: RedisConnections;
  /** Whether the api is shutting down (readiness turns false first, so balancers stop sending traffic). */
  isShuttingDown(): boolean;
  /** Closes what the container built, in reverse order of need. Idempotent. */
  shutdown(): Promise<void>;
}

export function createContainer(config: ApiConfig, overrides: { logger?: Logger } = {}): ApiContainer {
  const logger =
    overrides.logger ?? createLogger({ name: config.serviceName, level: config.log.level, pretty: config.log.pretty });
  const registry = createMetricsRegistry({ defaultLabels: { app: 'api' } });
  const redis = new RedisConnections({ options: config.redis, logger, registry });
  // Connect now (without waiting) so /health, /metrics and the first request see a live connection.
  redis.shared('commands');

  let shuttingDown = false;
  let closing: Promise<void> | undefined;

  return {
    config,
    logger,
    registry,
    redis,
    isShuttingDown: () => shuttingDown,
    shutdown() {
      shuttingDown = true;
      closing ??= redis.close(config.shutdownTimeoutMs);
      return closing;
    },
  };
}
