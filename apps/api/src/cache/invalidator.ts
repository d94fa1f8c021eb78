// Invalidation after a database write. The write has happened, so a failed invalidation must not
// fail the request; it must not be forgotten either, or the stale entry lives out its TTL once Redis
// is back. Failed tags are kept and retried until they go through.
import type { Cache } from '@rnh/cache';
import type { Logger } from '@rnh/telemetry';

export interface CacheInvalidatorOptions {
  cache: Cache;
  logger: Logger;
  /** Delay between retries of failed invalidations; default 1000 ms. */
  retryMs?: number;
  /** Tags kept for retry at most; beyond it the oldest are dropped (and logged). Default 10 000. */
  maxPending?: number;
}

export class CacheInvalidator {
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly retryMs: number;
  private readonly maxPending: number;

  constructor(private readonly options: CacheInvalidatorOptions) {
    this.retryMs = options.retryMs ?? 1000;
    this.maxPending = options.maxPending ?? 10_000;
  }

  /** Invalidates the tags now; those that fail are retried in the background. Never throws. */
  async invalidate(...tags: string[]): Promise<void> {
    const failed = await this.attempt(tags);
    if (failed.length === 0) return;
    this.options.logger.warn(
      { tags: failed.length },
      'cache invalidation failed; retrying in the background until Redis answers',
    );
    for (const tag of failed) this.keep(tag);
    this.schedule();
  }

  /** Tags still waiting for a successful invalidation. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Stops retrying (at shutdown); one last attempt is made first. */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size > 0) await this.retryPending();
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size > 0)
      this.options.logger.warn(
        { tags: this.pending.size },
        'shutting down with cache invalidations not done; those entries expire with their TTL',
      );
  }

  private async attempt(tags: string[]): Promise<string[]> {
    const results = await Promise.allSettled(tags.map((tag) => this.options.cache.invalidateTag(tag)));
    return tags.filter((_, index) => results[index]!.status === 'rejected');
  }

  private keep(tag: string): void {
    this.pending.delete(tag); // re-inserted as the newest
    this.pending.add(tag);
    if (this.pending.size <= this.maxPending) return;
    const oldest = this.pending.values().next().value as string;
    this.pending.delete(oldest);
    this.options.logger.error('cache invalidation retry list full; dropped the oldest tag');
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.retryPending();
    }, this.retryMs);
    this.timer.unref();
  }

  private async retryPending(): Promise<void> {
    const tags = [...this.pending];
    this.pending.clear();
    const failed = await this.attempt(tags);
    for (const tag of failed) this.keep(tag);
    if (failed.length > 0) this.schedule();
    else this.options.logger.info({ tags: tags.length }, 'delayed cache invalidations done');
  }
}
