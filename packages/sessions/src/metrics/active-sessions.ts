import type { Logger, RedisClient } from '@rnh/redis-client';
import { classifyRedisError } from '@rnh/redis-client';
import { scanBatches } from '../internal/redis.js';
import type { ActiveSessionsSource } from './session-metrics.js';

export interface ActiveSessionsSamplerOptions {
  client: RedisClient;
  /** SCAN MATCH pattern of session keys only (not tombstones). */
  pattern: string;
  cacheMs: number;
  /** Per SCAN call. */
  timeoutMs: number;
  logger: Logger;
  /** SCAN COUNT hint per call (default 1000). */
  scanCount?: number;
}

/**
 * Counts session keys with SCAN (every master of a cluster) at scrape time.
 * One sample serves scrapes for `cacheMs`; concurrent scrapes share one scan;
 * when Redis fails, the last good value is kept and the failure logged.
 */
export class ActiveSessionsSampler implements ActiveSessionsSource {
  private value = 0;
  private sampledAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<number> | undefined;

  constructor(private readonly options: ActiveSessionsSamplerOptions) {}

  sample(): Promise<number> {
    if (Date.now() - this.sampledAt < this.options.cacheMs) return Promise.resolve(this.value);
    this.inFlight ??= this.scan().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async scan(): Promise<number> {
    try {
      let count = 0;
      for await (const batch of scanBatches(this.options.client, this.options.pattern, {
        count: this.options.scanCount ?? 1000,
        timeoutMs: this.options.timeoutMs,
        operation: 'sessions.active_sample',
      })) {
        count += batch.length;
      }
      this.value = count;
      this.sampledAt = Date.now();
    } catch (error) {
      this.options.logger.warn(
        {
          operation: 'sessions.active_sample',
          error_type: classifyRedisError(error),
          error: error instanceof Error ? error.message : 'unknown',
        },
        'sessions_active sample failed; keeping the last value',
      );
    }
    return this.value;
  }
}
