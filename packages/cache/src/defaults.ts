/** The cache's defaults in one place, each with the reason for its value. */

/** Keys start with `rnh:cache:` unless the user passes `keys` (namespaces add `<name>:`). */
export const DEFAULT_KEY_PREFIX = 'rnh:cache:';

/** Namespace of the root cache (and its `cache` metric label) when none is given. */
export const DEFAULT_NAMESPACE = 'default';

/**
 * A cache read that takes longer than this counts as a miss: a cache exists to be
 * faster than the source of truth, so waiting longer than a loader would is pointless.
 */
export const DEFAULT_OPERATION_TIMEOUT_MS = 500;

/**
 * After 5 Redis failures in a row the cache skips Redis for 5 s (then one probe):
 * during an outage getOrSet goes straight to the loader instead of each call
 * waiting out the timeout. 5 tolerates a blip; 5 s is short next to an outage.
 */
export const DEFAULT_BREAKER = { failureThreshold: 5, cooldownMs: 5000 } as const;

/** Stampede lock: a crashed loader frees the key after 5 s; waiters give up after 3 s and load themselves; 25 ms polls. */
export const DEFAULT_LOCK = { ttlMs: 5000, waitMs: 3000, pollMs: 25 } as const;

/** L1: 10 000 entries or 64 MiB, each copy fresh for at most 60 s (bounds staleness if a bus message is lost). */
export const DEFAULT_L1 = { maxEntries: 10_000, maxBytes: 64 * 1024 * 1024, ttlSeconds: 60 } as const;

/**
 * invalidateTags retries a failed tag every second, so it lands soon after Redis answers again
 * (once the breaker lets calls through); a retry costs one UNLINK per tag, nothing while the
 * breaker is open. At most 10 000 tags are kept, so a long outage cannot grow memory without
 * bound; past that the oldest is dropped and its entries live out their TTL.
 */
export const DEFAULT_INVALIDATION_RETRY = { retryMs: 1000, maxPending: 10_000 } as const;
