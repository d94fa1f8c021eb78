// Public API of @rnh/ratelimit. Every export is listed here on purpose.

export type {
  Algorithm,
  BreakerOptions,
  Decision,
  DecisionReason,
  LimitOptions,
  LocalDenyCacheOptions,
  Policy,
  PolicyState,
  RateLimiterDeps,
  RateLimiterOptions,
} from './types.js';

export { RateLimitArgumentError, RateLimitError, RateLimitUnavailableError } from './errors.js';
export type { RateLimitErrorCode } from './errors.js';

export { RateLimiter, TRACER_NAME } from './limiter.js';
export {
  DEFAULT_BREAKER,
  DEFAULT_FAIL_CLOSED_RETRY_AFTER_MS,
  DEFAULT_FAILURE,
  DEFAULT_KEY_PREFIX,
  DEFAULT_LOCAL_DENY_ENTRIES,
  DEFAULT_OPERATION_TIMEOUT_MS,
} from './defaults.js';
export type { NamedPolicy } from './internal/policies.js';
export { createRateLimitMetrics, DECISION_DURATION_BUCKETS, RateLimitMetrics } from './metrics.js';

export { fixedWindow } from './algorithms/fixed-window.js';
export { slidingWindow } from './algorithms/sliding-window.js';
export { tokenBucket } from './algorithms/token-bucket.js';
export { gcra } from './algorithms/gcra.js';
export type { BucketOptions, WindowOptions } from './algorithms/algorithm.js';

export { rateLimit } from './http/middleware.js';
export type { RateLimitHandler, RateLimitMiddlewareOptions } from './http/middleware.js';
export { apiKeyKey, firstKey, ipKey, routeKey, userKey } from './http/keys.js';
export type { ApiKeyOptions, IpKeyOptions, KeyGenerator, RateLimitRequest } from './http/keys.js';
export { clientAddressKey } from './http/ip.js';
export { rateLimitHeaders, refusalHeaders, retryAfterSeconds } from './http/headers.js';
export type { HeaderDraft } from './http/headers.js';
export { denialResponse } from './http/responses.js';
export type { RateLimitErrorBody } from './http/responses.js';

export { RedisRateLimitStore } from './http/express-rate-limit-store.js';
export type {
  ClientRateLimitInfo,
  ExpressRateLimitStore,
  RedisRateLimitStoreDeps,
  RedisRateLimitStoreOptions,
} from './http/express-rate-limit-store.js';
