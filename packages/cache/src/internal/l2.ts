import { RedisGuard, type GuardFailureType, type Logger, type RedisClient } from '@rnh/redis-client';
import { CacheArgumentError, CacheUnavailableError } from '../errors.js';
import type { CacheMetricsSink } from '../metrics.js';

/** Whom a failed Redis call is charged to: `cache_errors_total{cache, operation}`. */
export interface Charge {
  cache: string;
  operation: string;
}

/** One guarded Redis call: its operation (for messages and the log) and whom a failure is charged to. */
interface L2Call {
  operation: string;
  charges: readonly Charge[];
}

export interface L2Options {
  operationTimeoutMs: number;
  breaker: { failureThreshold: number; cooldownMs: number };
}

/**
 * Every Redis call of the cache goes through here, guarded by @rnh/redis-client's
 * RedisGuard: skipped while the breaker is open, bounded by a timeout, and on failure
 * counted (`cache_errors_total`), logged (no key, no value) and rethrown as
 * CacheUnavailableError so the caller decides between failing open and throwing.
 */
export class L2 {
  private readonly guard: RedisGuard<L2Call>;

  constructor(
    readonly redis: RedisClient,
    private readonly logger: Logger,
    private readonly metrics: CacheMetricsSink,
    options: L2Options,
  ) {
    this.guard = new RedisGuard<L2Call>({
      operationTimeoutMs: options.operationTimeoutMs,
      breaker: options.breaker,
      errors: {
        timeout: ({ operation }, ms) =>
          new CacheUnavailableError(operation, `cache ${operation} timed out after ${ms} ms`, {
            code: 'CACHE_TIMEOUT',
          }),
        circuitOpen: ({ operation }) =>
          new CacheUnavailableError(operation, `cache ${operation} skipped: Redis circuit breaker is open`, {
            code: 'CACHE_CIRCUIT_OPEN',
          }),
        unavailable: ({ operation }, cause) =>
          new CacheUnavailableError(operation, `cache ${operation} failed: Redis unavailable`, { cause }),
        invalidOption: (message) => new CacheArgumentError(message),
      },
      onFailure: (type, error, call) => this.failed(type, error, call),
      client: redis,
    });
  }

  call<T>(cache: string, operation: string, work: (redis: RedisClient) => Promise<T>): Promise<T> {
    return this.guard.run(() => work(this.redis), { operation, charges: [{ cache, operation }] });
  }

  /**
   * One Redis call made for several callers (a batched read): a failure is counted
   * once for each distinct (cache, operation) in `charges`, and logged once.
   */
  callFor<T>(
    charges: readonly Charge[],
    operation: string,
    work: (redis: RedisClient) => Promise<T>,
  ): Promise<T> {
    return this.guard.run(() => work(this.redis), { operation, charges });
  }

  private failed(type: GuardFailureType, error: unknown, { operation, charges }: L2Call): void {
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
        error_type: type,
        error: error instanceof Error ? error.message : 'unknown',
        breaker: this.guard.breakerState,
      },
      'cache Redis operation failed',
    );
  }
}
