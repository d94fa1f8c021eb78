import { checkFraction } from './checks.js';
import type { Answer } from './coalesce.js';
import type { Core } from './core.js';
import type { EntryStore, FoundEntry } from './entries.js';
import { runLoader, within, withHardTimeout, type LoadRequest } from './loader.js';
import type { LocalCopies } from './local-copies.js';
import type { LoadLock } from './lock.js';
import type { RefreshResult, Refresher } from './refresh.js';
import { freshMsOf, planWrite } from './write-plan.js';

/**
 * getOrSet past the L1 and the in-process coalescing: one L2 read, then a hit,
 * a stale value (refreshed in the background, see `serveStale`), or a load
 * guarded by the cross-process lock. Redis failures never reach the caller;
 * only the loader's own error does.
 */
export class GetOrSetFlow {
  constructor(
    private readonly core: Core,
    private readonly cache: string,
    private readonly entries: EntryStore,
    private readonly local: LocalCopies,
    private readonly lock: LoadLock | undefined,
    private readonly refresher: Refresher,
  ) {}

  async resolve(request: LoadRequest): Promise<Answer> {
    const found = await this.entries.read(request.fullKey);
    switch (found.kind) {
      case 'hit':
        this.entries.count('hit');
        return this.serveHit(request, found);
      case 'stale':
        return this.serveStale(request, found);
      case 'miss':
        this.entries.count('miss');
        return this.load(request, false);
      case 'error': {
        this.entries.count('error');
        // Redis failing: an L1 copy within its grace period beats calling the loader.
        const local = this.local.staleFallback(request.fullKey);
        if (local) return { value: local.value, outcome: 'stale' };
        return this.load(request, true);
      }
    }
  }

  private serveHit(request: LoadRequest, found: FoundEntry): Answer {
    const { fullKey, plan, options } = request;
    this.local.keep(fullKey, found, plan.graceMs);
    const early = checkFraction(options.earlyRefresh ?? this.core.settings.earlyRefresh, 'earlyRefresh');
    if (early > 0 && found.ttlMs !== undefined && found.freshMs < early * found.ttlMs) {
      void this.refresher.refresh(request);
    }
    return { value: found.value, outcome: 'hit' };
  }

  /**
   * A stale entry starts (or joins) a background refresh. By default the stale
   * value is served at once; with a soft timeout the caller waits that long for
   * the refresh's fresh value (`refreshed`), and gets the stale one if it is late
   * (the refresh carries on and is still stored).
   */
  private async serveStale(request: LoadRequest, found: FoundEntry): Promise<Answer> {
    const refreshing = this.refresher.refresh(request);
    const softMs = request.options.softTimeoutMs ?? this.core.settings.softTimeoutMs;
    if (softMs > 0) {
      const fresh = await within(this.freshValue(request, refreshing, Date.now() + softMs), softMs);
      if (fresh) {
        this.entries.count('miss'); // the caller waited for the loader: not served from the cache
        return { value: fresh.value, outcome: 'refreshed' };
      }
    }
    this.entries.count('stale');
    return { value: found.value, outcome: 'stale' };
  }

  /** The refresh's value: this process's load, or (when another process holds the lock) its write, polled until `deadline`. */
  private async freshValue(
    { fullKey, plan }: LoadRequest,
    refreshing: Promise<RefreshResult>,
    deadline: number,
  ): Promise<{ value: unknown } | undefined> {
    const result = await refreshing;
    if (result.kind === 'loaded') return { value: result.value };
    if (result.kind !== 'busy' || !this.lock) return undefined;
    const entry = await this.lock.waitForRefresh(fullKey, deadline);
    if (entry) this.local.keep(fullKey, entry, plan.graceMs);
    return entry;
  }

  /** A miss (or Redis failing, `redisFailed`): load, lock-guarded across processes, and store. */
  private async load(request: LoadRequest, redisFailed: boolean): Promise<Answer> {
    const { fullKey, loader, plan, tags, options } = request;
    let lockToken: string | undefined;
    if (!redisFailed && this.lock) {
      const attempt = await this.lock.acquire(fullKey);
      if (attempt.kind === 'busy') {
        const waited = await this.lock.waitForHolder(fullKey);
        if (waited.kind === 'hit') {
          this.local.keep(fullKey, waited.entry, plan.graceMs);
          return { value: waited.entry.value, outcome: 'waited' };
        }
        if (waited.kind === 'acquired') lockToken = waited.token;
      } else if (attempt.kind === 'held') {
        lockToken = attempt.token;
      }
    }
    try {
      // Tokens before loading: an invalidation during the load then voids this write.
      const tokens = redisFailed
        ? undefined
        : await this.entries.tagTokens(tags, plan.lifetimeMs).catch(() => undefined);
      const store = async (value: unknown) => {
        if (!tokens) return;
        const negative = value === null || value === undefined;
        const negativeTtl = options.negativeTtlSeconds ?? this.core.settings.negativeTtlSeconds;
        const used =
          negative && negativeTtl !== undefined
            ? planWrite(this.core.settings, { ...options, ttlSeconds: negativeTtl })
            : plan;
        const bytes = await this.entries.writeLoaded(fullKey, value, used, tokens);
        if (bytes > 0)
          this.local.keep(fullKey, { value, bytes, freshMs: freshMsOf(used), tags }, used.graceMs);
      };
      const loading = runLoader(this.core, this.cache, loader);
      const timeoutMs = options.loaderTimeoutMs ?? this.core.settings.loaderTimeoutMs;
      const value =
        timeoutMs === undefined
          ? await loading
          : await withHardTimeout(this.core, this.cache, loading, timeoutMs, store);
      await store(value);
      return { value, outcome: redisFailed ? 'fallback' : 'loaded' };
    } finally {
      if (lockToken) await this.lock!.release(fullKey, lockToken);
    }
  }
}
