import type { Core } from './core.js';
import type { EntryStore } from './entries.js';
import { publishInvalidation } from './invalidation.js';
import { runLoader, type LoadRequest } from './loader.js';
import type { LocalCopies } from './local-copies.js';
import type { LoadLock } from './lock.js';

/**
 * How a background refresh ended. `loaded`: this process loaded (and stored) a
 * fresh value; `busy`: another process holds the load lock, so it is refreshing;
 * `skipped`: Redis is failing; `failed`: the loader (or the tag tokens) failed,
 * counted as `refresh` and logged.
 */
export type RefreshResult =
  { kind: 'loaded'; value: unknown } | { kind: 'busy' } | { kind: 'skipped' } | { kind: 'failed' };

/**
 * Background refreshes of stale (or, with early refresh, nearly stale) entries:
 * at most one per key in this process and, with the load lock, one across
 * processes. The value is stored and other L1 copies are invalidated whether or
 * not a caller still waits for it (the soft timeout may have given up).
 */
export class Refresher {
  constructor(
    private readonly core: Core,
    private readonly cache: string,
    private readonly entries: EntryStore,
    private readonly local: LocalCopies,
    private readonly lock: LoadLock | undefined,
  ) {}

  /** Starts a refresh unless one of this key runs here already, then joins that one. Never rejects. */
  refresh(request: LoadRequest): Promise<RefreshResult> {
    const { refreshing } = this.core;
    const running = refreshing.get(request.fullKey);
    if (running) return running;
    const started = this.run(request).finally(() => refreshing.delete(request.fullKey));
    refreshing.set(request.fullKey, started);
    return started;
  }

  private async run({ fullKey, loader, plan, tags }: LoadRequest): Promise<RefreshResult> {
    let lockToken: string | undefined;
    try {
      if (this.lock) {
        const attempt = await this.lock.acquire(fullKey);
        if (attempt.kind === 'busy') return { kind: 'busy' };
        if (attempt.kind === 'error') return { kind: 'skipped' };
        lockToken = attempt.token;
      }
      const tokens = await this.entries.tagTokens(tags, plan.lifetimeMs);
      const value = await runLoader(this.core, this.cache, loader);
      this.local.drop(fullKey);
      if ((await this.entries.writeLoaded(fullKey, value, plan, tokens)) > 0)
        await publishInvalidation(this.core, this.cache, { keys: [fullKey] });
      return { kind: 'loaded', value };
    } catch (error) {
      this.core.metrics.errors.inc({ cache: this.cache, operation: 'refresh' });
      this.core.logger.warn(
        {
          cache: this.cache,
          operation: 'refresh',
          error_type: error instanceof Error ? error.name : 'unknown',
        },
        'cache background refresh failed; the stale value stays until its grace period ends',
      );
      return { kind: 'failed' };
    } finally {
      if (lockToken) await this.lock!.release(fullKey, lockToken);
    }
  }
}
