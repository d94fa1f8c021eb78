import type { DeadLetterPolicy, ResolvedJobPolicy } from './types.js';

/**
 * Job defaults, chosen so that a queue never grows Redis without bound and a
 * flaky dependency gets a few spread-out retries:
 * - 5 tries with exponential backoff from 1 s and 50 % jitter (about 1, 2, 4, 8 s);
 * - completed jobs kept 24 h (at most 1000), enough to look at, not a history;
 * - failed jobs move to the dead-letter store; the failed set is only a bound for
 *   those that could not be moved yet (7 days, at most 10 000);
 * - an idempotency key holds for 24 h.
 */
export const DEFAULT_JOB_POLICY: ResolvedJobPolicy = {
  attempts: 5,
  backoff: { delayMs: 1000, jitter: 0.5 },
  removeOnComplete: { ageSeconds: 24 * 3600, count: 1000 },
  removeOnFail: { ageSeconds: 7 * 24 * 3600, count: 10_000 },
  idempotencyTtlMs: 24 * 3600 * 1000,
};

/** Dead jobs kept at most 14 days, at most 10 000 per queue (oldest trimmed first). */
export const DEFAULT_DEAD_LETTER_POLICY: DeadLetterPolicy = {
  maxEntries: 10_000,
  maxAgeMs: 14 * 24 * 3600 * 1000,
};

/** Worker defaults (BullMQ's for locks and stalls; a shutdown deadline under Kubernetes' 30 s grace period). */
export const DEFAULT_WORKER_OPTIONS = {
  concurrency: 1,
  shutdownTimeoutMs: 25_000,
  lockDurationMs: 30_000,
  stalledIntervalMs: 30_000,
  maxStalledCount: 1,
  deadLetterSweepMs: 30_000,
  depthCacheMs: 5000,
} as const;

/**
 * An enqueue Redis has not answered after 2 s fails (QueueUnavailableError, a 503):
 * longer than the cache's or the limiter's, as an enqueue is a write the caller
 * wants to succeed, yet short enough that a request does not hang during an outage.
 */
export const DEFAULT_OPERATION_TIMEOUT_MS = 2000;

/** Queue keys start with `rnh:queue:` (then `{<queue>}`) unless the user passes `keys`. */
export const DEFAULT_KEY_PREFIX = 'rnh:queue:';

/** How long `producer.connect()` waits for the user's own client's duplicate (ioredis' own default). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** Log lines and stack traces BullMQ keeps per job (the attempt history comes from them). */
export const KEEP_LOGS = 20;
export const STACK_TRACE_LIMIT = 5;
