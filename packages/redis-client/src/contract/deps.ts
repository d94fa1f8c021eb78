import type { Tracer } from '@opentelemetry/api';
import type { Registry, RegistryContentType } from 'prom-client';
import { keyspace } from '../keyspace.js';
import type { Keyspace, Logger, RedisClient } from '../types.js';

/**
 * What every package built on Redis takes first: `new X({ redis, keys?, logger?, registry?, tracer? }, options?)`.
 * Only `redis` is required.
 */
export interface RedisPackageDeps {
  /** The user's own ioredis `Redis` or `Cluster` (or a `RedisConnections` role). Never closed by the package. */
  redis: RedisClient;
  /** Where the package's keys live: a Keyspace, or a prefix such as `myapp:cache:`. Each package documents its default. */
  keys?: Keyspace | string;
  /** A pino-compatible logger; silent when absent. */
  logger?: Logger;
  /** Metrics are registered here (never on the global registry); without it there are no metrics. */
  registry?: Registry<RegistryContentType>;
  /** Spans go here; by default the global OpenTelemetry tracer (a no-op until an SDK is registered). */
  tracer?: Tracer;
}

/** A Keyspace from what a user passed as `keys` (a Keyspace, a prefix string, or nothing: `fallback`). */
export function toKeyspace(keys: Keyspace | string | undefined, fallback: string): Keyspace {
  if (keys === undefined) return keyspace(fallback);
  return typeof keys === 'string' ? keyspace(keys) : keys;
}
