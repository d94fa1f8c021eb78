// Tag invalidations Redis did not take (down, timed out, breaker open), kept and retried in the
// background until it does. They follow a write to the source of truth: that write has happened,
// so failing its caller helps no one, and forgetting the invalidation would leave the stale entry
// in place for its whole TTL once Redis is back.
import type { Logger } from '@rnh/redis-client';
import type { GaugeSink } from '../metrics.js';

export interface RetrySettings {
  /** Delay before the next retry of the pending tags. */
  retryMs: number;
  /** Tags kept at most; beyond it the oldest is dropped (and logged). */
  maxPending: number;
}

/** Invalidates one checked tag now, on behalf of namespace `cache`; rejects when Redis fails. */
export type InvalidateNow = (cache: string, tag: string) => Promise<void>;

/**
 * One kept failure. A later failure of the same tag replaces the object, so an attempt that
 * succeeds forgets only what was kept before it began (a write may have come in between).
 */
interface Pending {
  tag: string;
  /** The namespace that asked: the `cache` label of the gauge and of the retries' errors. */
  cache: string;
}

export class InvalidationRetries {
  /** By tag, oldest first: the first entry is the one dropped when the list is full. */
  private readonly pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | undefined;
  private retrying: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly invalidateNow: InvalidateNow,
    private readonly logger: Logger,
    private readonly gauge: GaugeSink<'cache'>,
    private readonly settings: RetrySettings,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  /** Invalidates the tags now; those Redis does not take are kept and retried. Never rejects. */
  async invalidate(cache: string, tags: readonly string[]): Promise<void> {
    const failed = await this.attempt(tags.map((tag) => ({ tag, cache })));
    if (failed.length === 0) return;
    if (this.closed) {
      this.logger.warn(
        { cache, tags: failed.length },
        'cache invalidation failed after close; those entries expire with their TTL',
      );
      return;
    }
    for (const { tag } of failed) this.keep(tag, cache);
    this.logger.warn(
      { cache, tags: failed.length },
      'cache invalidation failed; retrying in the background until Redis answers',
    );
    this.schedule();
  }

  /** Stops retrying, after a retry in flight and one last attempt. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.retrying;
    if (this.pending.size > 0) await this.retry();
    if (this.pending.size > 0)
      this.logger.warn(
        { tags: this.pending.size },
        'cache closed with invalidations not done; those entries expire with their TTL',
      );
  }

  /** Tries each tag once; a success forgets what was kept for it before. Answers the failures. */
  private async attempt(entries: readonly Pending[]): Promise<Pending[]> {
    const keptBefore = entries.map(({ tag }) => this.pending.get(tag));
    const results = await Promise.allSettled(entries.map(({ cache, tag }) => this.invalidateNow(cache, tag)));
    return entries.filter((entry, index) => {
      if (results[index]!.status === 'rejected') return true;
      const covered = keptBefore[index];
      if (covered && this.pending.get(entry.tag) === covered) this.forget(entry.tag);
      return false;
    });
  }

  private async retry(): Promise<void> {
    const entries = [...this.pending.values()];
    const failed = await this.attempt(entries);
    if (failed.length > 0) this.schedule();
    else this.logger.info({ tags: entries.length }, 'delayed cache invalidations done');
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.retrying = this.retry().finally(() => {
        this.retrying = undefined;
      });
    }, this.settings.retryMs);
    // Pending invalidations never keep a process alive; close() makes the last attempt.
    this.timer.unref();
  }

  private keep(tag: string, cache: string): void {
    this.forget(tag); // kept again as the newest
    this.pending.set(tag, { tag, cache });
    this.gauge.inc({ cache });
    if (this.pending.size <= this.settings.maxPending) return;
    const oldest = this.pending.keys().next().value!;
    this.forget(oldest);
    this.logger.error(
      { maxPending: this.settings.maxPending },
      'cache invalidation retry list full; dropped the oldest tag (its entries expire with their TTL)',
    );
  }

  private forget(tag: string): void {
    const entry = this.pending.get(tag);
    if (!entry) return;
    this.pending.delete(tag);
    this.gauge.dec({ cache: entry.cache });
  }
}
