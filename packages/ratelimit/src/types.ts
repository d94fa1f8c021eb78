import type { RedisPackageDeps, ScriptRegistry } from '@rnh/redis-client';

/** The four algorithms; each is one Lua fragment evaluated on Redis time. */
export type Algorithm = 'fixed-window' | 'sliding-window' | 'token-bucket' | 'gcra';

/** One rule of a limiter, e.g. 100 requests per minute. Build it with `fixedWindow()`, `slidingWindow()`, `tokenBucket()` or `gcra()`. */
export interface Policy {
  /**
   * Names the rule in the `RateLimit` / `RateLimit-Policy` headers and in Redis keys:
   * 1-64 of `[A-Za-z0-9_.-]`. Defaults to the limiter's name when it has one policy.
   */
  readonly name?: string;
  readonly algorithm: Algorithm;
  /** Requests (cost units) per window; for the bucket algorithms, the refill rate per window. */
  readonly limit: number;
  /** Window length in milliseconds (integer >= 1). */
  readonly windowMs: number;
  /**
   * Token bucket and GCRA: how many units can pass at once (the bucket's capacity).
   * Defaults to `limit`. Ignored by the window algorithms.
   */
  readonly burst?: number;
}

/** Why a decision came out as it did. */
export type DecisionReason = 'allowed' | 'limited' | 'fail_open' | 'fail_closed' | 'local_block' | 'shadow';

/** One policy's state after a decision, all from Redis time. */
export interface PolicyState {
  name: string;
  algorithm: Algorithm;
  /** The policy's quota: `limit`, or the bucket capacity (`burst`) for token bucket and GCRA. */
  limit: number;
  windowMs: number;
  /** Whether this policy alone would let the request through. */
  allowed: boolean;
  /** Units left now (after this request when it was consumed). */
  remaining: number;
  /** Milliseconds until the full quota is available again (0 when it is). */
  resetMs: number;
  /** Milliseconds until a request of this cost could pass this policy: 0 when it passes, Infinity when it never can (cost above the quota). */
  retryAfterMs: number;
}

/** The answer of `limit()` and `peek()`. */
export interface Decision {
  /** Let the request through? True for `allowed`, `fail_open` and `shadow`. */
  allowed: boolean;
  reason: DecisionReason;
  /** The limiter's name (the `policy` metric label). */
  limiter: string;
  cost: number;
  /**
   * The binding policy's numbers (the one that denied with the longest wait; when allowed,
   * the one with the least left). On `fail_open` / `fail_closed` no policy was evaluated:
   * `limit` is the first policy's quota; `fail_open` reports it all remaining and no wait,
   * `fail_closed` reports 0 remaining and `failClosedRetryAfterMs` as the wait.
   */
  limit: number;
  remaining: number;
  resetMs: number;
  retryAfterMs: number;
  /** Name of the binding policy (undefined when Redis was not reached). */
  policy: string | undefined;
  /** Every policy of the limiter, in configuration order (empty when Redis was not reached). */
  policies: PolicyState[];
  /** Whether units were recorded in Redis (all policies allowed). Only such decisions can be refunded. */
  consumed: boolean;
  /** Redis time (ms since the epoch) of the evaluation; undefined when Redis was not reached. */
  at: number | undefined;
}

/**
 * `redis`: the user's own client (never closed by the limiter; standalone, sentinel or Cluster).
 * `keys`: the limiter's keyspace or prefix, default `rnh:ratelimit:` -> keys `rnh:ratelimit:<limiter>:{<hash>}:<policy>`.
 * `logger` (default silent), `registry` (no metrics without it), `tracer` (default: the global one).
 */
export interface RateLimiterDeps extends RedisPackageDeps {
  /** When given, the limiter's script is defined here too, so `scripts.loadAll(redis)` preloads it. */
  scripts?: ScriptRegistry;
}

/** The same circuit-breaker settings in every package that has one. */
export interface BreakerOptions {
  /** Consecutive Redis failures that open the breaker. */
  failureThreshold?: number;
  /** How long the open breaker skips Redis before one probe, in ms. */
  cooldownMs?: number;
}

export interface LocalDenyCacheOptions {
  /** Entry bound (least recently blocked are dropped first); default 10 000. */
  maxEntries?: number;
}

export interface RateLimiterOptions {
  /** The `policy` metric label and span attribute, and a key segment: 1-64 of `[A-Za-z0-9_.-]`. */
  name: string;
  /** One or more policies, evaluated together in one round trip; a request passes only if every one allows it. */
  policies: Policy | readonly Policy[];
  /** What Redis errors and timeouts decide: `open` (allow, the default) or `closed` (deny). */
  failure?: 'open' | 'closed';
  /** A decision waiting longer than this on Redis counts as a failure; default 250 ms. */
  operationTimeoutMs?: number;
  /** `shadow` evaluates and records but never blocks (reason `shadow` where it would have); default `enforce`. */
  mode?: 'enforce' | 'shadow';
  /**
   * Keys found over the limit are denied locally until their retry-after, without a round trip;
   * on by default (10 000 entries), `false` turns it off. Not used in shadow mode.
   */
  localDenyCache?: false | LocalDenyCacheOptions;
  /**
   * Identifiers are hashed (SHA-256, 128 bits kept) before they become part of a Redis key, so
   * raw IPs or user ids are not stored in key names. With a secret the hash is an HMAC, which
   * also resists guessing an IPv4 address back from its hash. Default true.
   */
  hashKeys?: boolean;
  hashSecret?: string;
  /**
   * After `failureThreshold` Redis failures in a row (default 5) the limiter stops calling
   * Redis for `cooldownMs` (default 2000; then one probe): during an outage decisions follow
   * the failure policy at once instead of each waiting `operationTimeoutMs`.
   */
  breaker?: BreakerOptions;
  /** Retry-After of `fail_closed` decisions; default 1000 ms. */
  failClosedRetryAfterMs?: number;
}

export interface LimitOptions {
  /** Units this request uses (integer >= 1); default 1. */
  cost?: number;
}
