import type { RedisOptions } from '../types.js';

/** The guide's defaults; `overrides` replace whole fields (arrays are not merged). */
export function defaultRedisOptions(overrides: Partial<RedisOptions> = {}): RedisOptions {
  return {
    mode: 'standalone',
    host: '127.0.0.1',
    port: 6379,
    db: 0,
    tls: false,
    sentinels: [],
    clusterNodes: [],
    keyPrefix: 'rnh:',
    maxRetriesPerRequest: 3,
    retryDelayMs: 100,
    maxRetryDelayMs: 5000,
    connectTimeoutMs: 10_000,
    ...withoutUndefined(overrides),
  };
}

// `{ password: undefined }` from a spread must not erase a default.
function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
