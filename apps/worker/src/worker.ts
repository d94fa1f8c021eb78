// Starts the worker: health server first (so orchestrators can see it), then the work loops.
import { connectAtStartup } from '@rnh/redis-client';
import type { WorkerConfig } from './config.js';
import { createContainer, type WorkerContainer } from './container.js';
import { startHealthServer, type RunningHealthServer } from './health-server.js';

export interface RunningWorker {
  container: WorkerContainer;
  health: RunningHealthServer;
  stop(): Promise<void>;
}

export async function startWorker(
  config: WorkerConfig,
  overrides: Parameters<typeof createContainer>[1] = {},
): Promise<RunningWorker> {
  const container = createContainer(config, overrides);
  await connectAtStartup(container.redis, container.logger);
  const health = await startHealthServer(container);
  container.heartbeat.start();
  // In the background: with Redis down at startup the worker still starts (degraded), and each
  // queue worker's connection waits for Redis.
  for (const worker of Object.values(container.queueWorkers))
    worker.start().catch((error: unknown) => {
      if (!container.isShuttingDown()) container.logger.error({ err: error }, 'queue worker did not start');
    });
  container.logger.info({ redis: `${config.redis.mode}` }, 'worker started');

  let stopping: Promise<void> | undefined;
  return {
    container,
    health,
    stop() {
      stopping ??= (async () => {
        await container.shutdown();
        await health.close();
      })();
      return stopping;
    },
  };
}
