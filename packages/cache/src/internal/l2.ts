import {
  classifyRedisError,
  withDeadline,
  type CircuitBreaker,
  type Logger,
  type RedisClient,
} from '@rnh/redis-client';
import { CacheUnavailableError } from '../errors.js';
import type { CacheMetrics } from '../metrics.js';

/** Whom a failed Redis call is charged to: `cache_errors_total{cache, operation}`. */
export interface Charge {
  cache: string;
  operation: string;
}

/**
 * Every Redis call of the cache goes through here: skipped while the breaker is
 * open, bounded by a timeout, and on failure counted (`cache_errors_total`),
 * logged (no key, no value) and rethrown as CacheUnavailableError so the caller
 * decides between failing open and throwing.
 */
export class L2 {
  constructor(
    readonly redis: RedisClient,
    private readonly logger: Logger,
    private readonly metrics: CacheMetrics,
    private readonly breaker: CircuitBreaker,
    private readonly timeoutMs: number,
  ) {}

  call<T>(cache: string, operation: string, work: (redis: RedisClient) => Promise<T>): Promise<T> {
    return this.callFor([{ cache, operation }], operation, work);
  }

  /**
   * One Redis call made for several callers (a batched read): a failure is counted
   * once for each distinct (cache, operation) in `charges`, and logged once.
   */
  async callFor<T>(
    charges: readonly Charge[],
    operation: string,
    work: (redis: RedisClient) => Promise<T>,
  ): Promise<T> {
    if (!this.breaker.allow()) {
      throw new CacheUnavailableError(
        operation,
        `cache ${operation} skipped: Redis circuit breaker is open`,
        {
          code: 'CACHE_CIRCUIT_OPEN',
        },
      );
    }
    try {
      const result = await withDeadline(
        work(this.redis),
        this.timeoutMs,
        () =>
          new CacheUnavailableError(operation, `cache ${operation} timed out after ${this.timeoutMs} ms`, {
            code: 'CACHE_TIMEOUT',
          }),
      );
      this.breaker.success();
      return result;
    } catch (error) {
      this.breaker.failure();
      const caches = new Set<string>();
      const counted = new Set<string>();
      for (const { cache, operation: charged } of charges) {
        caches.add(cache);
        if (counted.has(`${cache}\n${charged}`)) continue;
        counted.add(`${cache}\n${charged}`);
        this.metrics.errors.inc({ cache, operation: charged });
      }
      this.logger.warn(
        {
          cache: [...caches].join(','),
          operation,
          error_type: error instanceof CacheUnavailableError ? 'timeout' : classifyRedisError(error),
          error: error instanceof Error ? error.message : 'unknown',
          breaker: this.breaker.state,
        },
        'cache Redis operation failed',
      );
      if (error instanceof CacheUnavailableError) throw error;
      throw new CacheUnavailableError(operation, `cache ${operation} failed: Redis unavailable`, {
        cause: error,
      });
    }
  }
}
