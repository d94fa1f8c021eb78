import type { Tracer } from '@opentelemetry/api';
import { silentLogger, toKeyspace, type Keyspace, type Logger, type RedisClient } from '@rnh/redis-client';
import { createSessionMetrics, type SessionMetrics } from '../metrics/session-metrics.js';
import type { SessionsDeps } from '../types.js';

/** A class's dependencies with the contract's defaults filled in. */
export interface ResolvedDeps {
  redis: RedisClient;
  keys: Keyspace;
  logger: Logger;
  /** Undefined without a registry: no metrics. */
  metrics: SessionMetrics | undefined;
  /** Undefined: the global OpenTelemetry tracer, looked up per operation. */
  tracer: Tracer | undefined;
}

export function resolveDeps(deps: SessionsDeps, defaultPrefix: string): ResolvedDeps {
  return {
    redis: deps.redis,
    keys: toKeyspace(deps.keys, defaultPrefix),
    logger: deps.logger ?? silentLogger(),
    // createSessionMetrics reuses what a class before it registered on the same registry.
    metrics: deps.registry ? createSessionMetrics(deps.registry) : undefined,
    tracer: deps.tracer,
  };
}
