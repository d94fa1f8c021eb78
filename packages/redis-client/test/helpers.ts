import type { RedisServerHandle } from '@rnh/test-utils';
import { uniquePrefix } from '@rnh/test-utils';
import type { Registry, RegistryContentType } from 'prom-client';
import { defaultRedisOptions } from '../src/config/defaults.js';
import type { RedisOptions } from '../src/types.js';

/**
 * Options for a test server: own key prefix, quick reconnects, and a connect timeout that a busy
 * 2-core machine keeps (as @rnh/test-connections gives the other packages' tests).
 */
export function optionsFor(
  server: Pick<RedisServerHandle, 'host' | 'port'>,
  overrides: Partial<RedisOptions> = {},
): RedisOptions {
  return defaultRedisOptions({
    host: server.host,
    port: server.port,
    keyPrefix: uniquePrefix('rc'),
    retryDelayMs: 20,
    maxRetryDelayMs: 200,
    connectTimeoutMs: 5000,
    ...overrides,
  });
}

type Labels = Record<string, string>;

/** The value of one series (after running the metric's collect()), or undefined when absent. */
export async function metricValue(
  registry: Registry<RegistryContentType>,
  name: string,
  labels: Labels,
  metricName?: string,
): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return undefined;
  const { values } = await metric.get();
  const match = values.find(
    (value) =>
      (metricName === undefined || (value as { metricName?: string }).metricName === metricName) &&
      Object.entries(labels).every(([key, expected]) => String((value.labels as Labels)[key]) === expected),
  );
  return match?.value;
}

/** Histogram sample count for a command on a pool. */
export function operationCount(
  registry: Registry<RegistryContentType>,
  pool: string,
  command: string,
  errorType = '',
): Promise<number> {
  return metricValue(
    registry,
    'db_client_operation_duration_seconds',
    { db_operation_name: command, error_type: errorType, db_client_connection_pool_name: pool },
    'db_client_operation_duration_seconds_count',
  ).then((value) => value ?? 0);
}

export function parseCommandStats(text: string): Record<string, number> {
  const calls: Record<string, number> = {};
  for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
    calls[match[1] ?? ''] = Number(match[2]);
  return calls;
}

export { memoryLogger } from '@rnh/test-utils';
