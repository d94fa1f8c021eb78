// Public API of @rnh/cache. Every export is listed here on purpose.

export type {
  BreakerOptions,
  CacheDeps,
  CacheLayer,
  CacheOptions,
  EntryState,
  GetOrSetOptions,
  GetOrSetOutcome,
  InvalidationKind,
  InvalidationRetryOptions,
  L1Options,
  LockOptions,
  LookupResult,
  SetOptions,
  Ttl,
  TtlPreset,
} from './types.js';

export {
  CacheArgumentError,
  CacheError,
  CacheLoaderTimeoutError,
  CacheSerializationError,
  CacheUnavailableError,
} from './errors.js';
export type { CacheErrorCode } from './errors.js';

export { Cache, TRACER_NAME } from './cache.js';
export { CacheMetrics, createCacheMetrics, LOADER_DURATION_BUCKETS } from './metrics.js';
export { DEFAULT_TTL_PRESETS } from './internal/ttl.js';
export {
  DEFAULT_BREAKER,
  DEFAULT_INVALIDATION_RETRY,
  DEFAULT_KEY_PREFIX,
  DEFAULT_L1,
  DEFAULT_LOCK,
  DEFAULT_OPERATION_TIMEOUT_MS,
} from './defaults.js';
export { ENVELOPE_VERSION, decodeEnvelope, encodeEnvelope } from './serializer.js';
export type { DecodedEntry, Envelope } from './serializer.js';

export { responseCache, responseKey } from './middleware.js';
export type { ResponseCacheOptions } from './middleware.js';
