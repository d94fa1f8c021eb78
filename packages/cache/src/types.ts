import type { RedisClient, RedisPackageDeps } from '@rnh/redis-client';

export type TtlPreset = 'short' | 'medium' | 'long' | 'day';

/** Seconds, or a preset name resolved through CacheOptions.ttlPresets. */
export type Ttl = number | TtlPreset;

/**
 * `redis`: the user's own client (never closed by the cache; standalone, sentinel or Cluster).
 * `keys`: the cache's keyspace or prefix, default `rnh:cache:` -> keys `rnh:cache:<namespace>:<key>`.
 * `logger` (default silent), `registry` (no metrics without it), `tracer` (default: the global one).
 */
export interface CacheDeps extends RedisPackageDeps {
  /**
   * A `subscriber` connection for the L1 invalidation bus (with `options.l1`).
   * Without it the L1 is local only: other processes' writes reach it only when
   * its short TTL ends. With it, call `await cache.start()`; until the bus is
   * subscribed (and whenever it is disconnected) the L1 is bypassed.
   */
  subscriber?: RedisClient;
}

/** The same circuit-breaker settings in every package that has one. */
export interface BreakerOptions {
  /** Consecutive Redis failures that open the breaker. */
  failureThreshold?: number;
  /** How long the open breaker skips Redis before one probe, in ms. */
  cooldownMs?: number;
}

export interface InvalidationRetryOptions {
  /** Delay between retries of the tags invalidateTags could not invalidate; default 1000 ms. */
  retryMs?: number;
  /** Tags kept for retry at most; beyond it the oldest is dropped (and logged). Default 10 000. */
  maxPending?: number;
}

export interface LockOptions {
  /** Lock lifetime (a crashed loader frees it after this); default 5000 ms. */
  ttlMs?: number;
  /** How long a waiter polls for the holder's result before loading itself; default 3000 ms. */
  waitMs?: number;
  /** Poll interval while waiting; default 25 ms. */
  pollMs?: number;
}

export interface L1Options {
  /** Entry bound; default 10 000. */
  maxEntries?: number;
  /** Byte bound (encoded size); default 64 MiB. */
  maxBytes?: number;
  /** An L1 copy is fresh for at most this long (and never longer than the L2 entry); default 60 s. */
  ttlSeconds?: number;
}

export interface CacheOptions {
  /** Namespace of the root cache (default `default`); the `cache` metric label. */
  name?: string;
  /** Preset seconds (from config: CACHE_TTL_SHORT, ...). Defaults 300 / 1800 / 3600 / 86400. */
  ttlPresets?: Partial<Record<TtlPreset, number>>;
  /** Default TTL for set/getOrSet when none is given; default `medium`. */
  defaultTtl?: Ttl;
  /** Fraction (0..1) by which each TTL is randomly shortened, to spread expiries; default 0. */
  jitter?: number;
  /** Seconds an entry is kept past its TTL to be served stale; default 0. */
  graceSeconds?: number;
  /** Bump on a deploy that changes the cached shape: entries of another version are dropped. Default 0. */
  schemaVersion?: number;
  /** Each Redis call fails after this long (then the cache fails open); default 500 ms. */
  operationTimeoutMs?: number;
  /** Circuit breaker: `failureThreshold` Redis failures in a row (default 5) skip Redis for `cooldownMs` (default 5000). */
  breaker?: BreakerOptions;
  /**
   * Early refresh: a getOrSet hit with less than this fraction (0..1) of its TTL
   * left triggers one background refresh, so hot keys never expire. Default off.
   */
  earlyRefresh?: number;
  /** Default hard loader timeout of getOrSet; none unless given. */
  loaderTimeoutMs?: number;
  /**
   * Default soft timeout of getOrSet on a stale entry, in ms; default 0. See
   * GetOrSetOptions.softTimeoutMs.
   */
  softTimeoutMs?: number;
  /** Default negative-caching TTL of getOrSet (null/undefined answers); none unless given (they get the normal TTL). */
  negativeTtlSeconds?: number;
  /**
   * Cross-process stampede protection: on a miss one process takes a short Redis
   * lock and loads; the others poll for its result for up to `waitMs`, then load
   * themselves. On by default; `false` turns it off.
   */
  lock?: false | LockOptions;
  /** In-process L1 in front of Redis; off unless given. */
  l1?: L1Options;
  /** How invalidateTags retries the tags Redis did not take. */
  invalidationRetry?: InvalidationRetryOptions;
}

export interface SetOptions {
  ttl?: Ttl;
  /** Alias of `ttl` in seconds. */
  ttlSeconds?: number;
  /** Overrides CacheOptions.graceSeconds for this entry. */
  graceSeconds?: number;
  /** Overrides CacheOptions.jitter for this entry. */
  jitter?: number;
  /** Tags for `invalidateTag`, e.g. `org:42`. */
  tags?: readonly string[];
}

export interface GetOrSetOptions extends SetOptions {
  /**
   * Hard loader timeout: after this the caller gets CacheLoaderTimeoutError; the
   * load goes on and its value is still cached. Default CacheOptions.loaderTimeoutMs (none).
   */
  loaderTimeoutMs?: number;
  /**
   * Soft timeout, in ms, for a stale entry (past its TTL, within its grace period).
   * Such an entry always starts a background refresh (one per key per process;
   * one across processes with the lock). With 0 (the default) the stale value is
   * returned at once. With more, getOrSet waits up to this long for the refresh's
   * fresh value and returns it if it arrives in time (outcome `refreshed`, an l2
   * lookup counted as `miss`); otherwise it returns the stale value (outcome
   * `stale`, counted as `stale`) and the refresh carries on in the background,
   * its value still cached. When another process holds the refresh lock, the wait
   * polls Redis for that process's fresh value. A refresh that fails ends the wait
   * early with the stale value. It never throws: the stale value is the fallback.
   * Default CacheOptions.softTimeoutMs (0). Unrelated to a miss, where there is
   * nothing to fall back to (see `loaderTimeoutMs`).
   */
  softTimeoutMs?: number;
  /** Overrides CacheOptions.earlyRefresh. */
  earlyRefresh?: number;
  /** Negative caching: a loader answer of null or undefined is cached this long instead. Default CacheOptions.negativeTtlSeconds. */
  negativeTtlSeconds?: number;
}

/**
 * Why getOrSet answered as it did; the `rnh.cache.outcome` span attribute (an L1
 * hit has no span: see the README). `hit`: a fresh L2 entry. `stale`: a stale entry (its refresh runs in the
 * background), or an L1 copy within grace while Redis fails. `refreshed`: a stale
 * entry whose refresh answered within `softTimeoutMs`. `loaded`: a miss, loaded
 * here. `coalesced`: joined a getOrSet of the key already running in this process.
 * `waited`: got the value another process loaded under the lock. `fallback`:
 * Redis failed, the loader answered. `loader_error`: the loader threw.
 */
export type GetOrSetOutcome =
  'hit' | 'stale' | 'refreshed' | 'loaded' | 'coalesced' | 'waited' | 'fallback' | 'loader_error';

/** What Cache.getWithState answers for an entry that can still be served. */
export interface EntryState<T> {
  value: T;
  /** True when the entry is past its TTL but within its grace period. */
  stale: boolean;
}

export type CacheLayer = 'l1' | 'l2';
export type LookupResult = 'hit' | 'miss' | 'stale' | 'error';
export type InvalidationKind = 'key' | 'tag' | 'namespace';
