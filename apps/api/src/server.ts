// Starts the HTTP server and wires graceful shutdown: stop accepting, finish in-flight requests, close Redis.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connectAtStartup } from '@rnh/redis-client';
import { createApp } from './app.js';
import type { ApiContainer } from './container.js';
import { startMetricsServer, type RunningMetricsServer } from './metrics-server.js';
import { attachLiveWebSocket } from './realtime/live-endpoints.js';

export interface RunningApi {
  server: Server;
  url: string;
  /** Where GET /metrics is served; undefined when the metrics listener is off. */
  metricsUrl: string | undefined;
  stop(): Promise<void>;
}

export async function startApi(container: ApiContainer, listen = container.config.http): Promise<RunningApi> {
  await connectAtStartup(container.redis, container.logger);
  const stopCacheBus = startCacheBus(container);
  const stopRevocationBus = startInBackground(
    container,
    'access-token revocation channel',
    container.accessTokenRevocations,
  );
  // In the background: with Redis down at startup the api still starts (degraded), and the
  // worker's connection waits for Redis.
  // Domain events recorded while Redis was down (or before a restart) are relayed from now on.
  container.outboxRelay.start();
  container.networkWorker.start().catch((error: unknown) => {
    if (!container.isShuttingDown())
      container.logger.error({ err: error }, 'network queue worker did not start');
  });
  const metrics: RunningMetricsServer | undefined = container.config.metrics
    ? await startMetricsServer(container.registry, container.config.metrics, container.logger)
    : undefined;
  const server = createServer(createApp(container));
  const liveWebSocket = attachLiveWebSocket(server, container);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  }).catch(async (error: unknown) => {
    await metrics?.close();
    throw error;
  });
  const { port } = server.address() as AddressInfo;
  const host = listen.host === '0.0.0.0' ? '127.0.0.1' : listen.host;
  const url = `http://${host}:${port}`;
  container.logger.info({ url }, 'api listening');

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      // Not ready from now on: a load balancer that checks /ready stops sending requests here
      // while this instance still serves them, so none arrives on a connection being closed.
      container.beginShutdown();
      const { shutdownDrainMs } = container.config;
      if (shutdownDrainMs > 0) {
        container.logger.info({ drainMs: shutdownDrainMs }, 'api draining: /ready answers 503');
        await new Promise((resolve) => setTimeout(resolve, shutdownDrainMs));
      }
      // Live connections never end by themselves: tell them to reconnect elsewhere first.
      await liveWebSocket.close();
      await container.realtime.hub.drain();
      await closeServer(server, container.config.shutdownTimeoutMs);
      await metrics?.close();
      stopCacheBus();
      stopRevocationBus();
      await container.shutdown();
    })();
    return stopping;
  };
  return { server, url, metricsUrl: metrics?.url, stop };
}

/**
 * Subscribes the cache's L1 invalidation bus in the background: Redis may be down at startup
 * (the api then starts degraded), and until the bus is subscribed the cache bypasses its L1.
 */
function startCacheBus(container: ApiContainer): () => void {
  return startInBackground(container, 'cache invalidation bus', container.cache);
}

/**
 * Starts a pub/sub subscription in the background, retrying until Redis answers. Until it is
 * subscribed, the in-process copies it keeps fresh (cache L1, access-token revocation states)
 * are not relied on.
 */
function startInBackground(
  container: ApiContainer,
  what: string,
  part: { start(): Promise<void>; close(): Promise<void> },
  retryMs = 2000,
): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const attempt = () => {
    part.start().catch(async (error: unknown) => {
      await part.close().catch(() => undefined);
      if (stopped) return;
      container.logger.warn(
        { err: error },
        `${what} not subscribed yet; in-process copies bypassed, retrying`,
      );
      timer = setTimeout(attempt, retryMs);
      timer.unref();
    });
  };
  attempt();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

function closeServer(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), timeoutMs);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}
