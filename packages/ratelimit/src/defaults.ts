/** The rate limiter's defaults in one place, each with the reason for its value. */

/** Keys start with `rnh:ratelimit:` unless the user passes `keys`. */
export const DEFAULT_KEY_PREFIX = 'rnh:ratelimit:';

/**
 * A decision waiting longer than this on Redis counts as a failure (then the failure
 * policy decides): the limiter sits in front of every request, so it must not add
 * more latency than a slow request would anyway; a healthy Redis answers in ~1 ms.
 */
export const DEFAULT_OPERATION_TIMEOUT_MS = 250;

/**
 * After 5 Redis failures in a row the limiter decides without Redis for 2 s (then
 * one probe), so during an outage requests are not each held for the timeout.
 * Shorter than the cache's cooldown: limits should be enforced again soon.
 */
export const DEFAULT_BREAKER = { failureThreshold: 5, cooldownMs: 2000 } as const;

/** What Redis trouble decides: allow (an outage of the limiter should not be an outage of the API). */
export const DEFAULT_FAILURE = 'open' as const;

/** Retry-After of `fail_closed` decisions: clients come back soon, when Redis may be back. */
export const DEFAULT_FAIL_CLOSED_RETRY_AFTER_MS = 1000;

/** Keys denied in-process without a round trip: 10 000 bounds the memory (~1 MB). */
export const DEFAULT_LOCAL_DENY_ENTRIES = 10_000;

/** The express-rate-limit store's window until express-rate-limit calls `init`. */
export const DEFAULT_STORE_WINDOW_MS = 60_000;
