// The app side of the @rnh packages, built once per cell as a composition root builds it:
// RedisConnections (the shared `commands` connection auto-pipelines, client metrics on), a
// prom-client registry, a quiet logger.
import { defaultRedisOptions, RedisConnections, type Logger } from '@rnh/redis-client';
import { createLogger, createMetricsRegistry } from '@rnh/telemetry';
import { pino } from 'pino';
import type { Registry } from 'prom-client';

export interface RnhApp {
  connections: RedisConnections;
  registry: Registry;
  logger: Logger;
}

export async function startRnhApp(host: string, port: number): Promise<RnhApp> {
  const registry = createMetricsRegistry({ defaultLabels: { app: 'bench' } });
  const logger = createLogger({ name: 'bench', level: 'warn', destination: pino.destination(2) });
  const connections = new RedisConnections({
    options: defaultRedisOptions({ host, port, keyPrefix: 'bench:' }),
    logger,
    registry,
  });
  await connections.connect();
  return { connections, registry, logger };
}
