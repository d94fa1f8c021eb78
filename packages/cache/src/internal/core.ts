import type { Tracer } from '@opentelemetry/api';
import { silentLogger, toKeyspace, type Keyspace, type Logger } from '@rnh/redis-client';
import {
  DEFAULT_BREAKER,
  DEFAULT_INVALIDATION_RETRY,
  DEFAULT_KEY_PREFIX,
  DEFAULT_L1,
  DEFAULT_LOCK,
  DEFAULT_OPERATION_TIMEOUT_MS,
} from '../defaults.js';
import { createCacheMetrics, NO_CACHE_METRICS, type CacheMetricsSink } from '../metrics.js';
import type { CacheDeps, CacheOptions, LockOptions, TtlPreset, Ttl } from '../types.js';
import { InvalidationBus } from './bus.js';
import { checkFraction, checkGrace, nonNegative, positive } from './checks.js';
import { applyInvalidation, invalidateTagNow } from './invalidation.js';
import { InvalidationRetries } from './invalidation-retries.js';
import { L1 } from './l1.js';
import { L2 } from './l2.js';
import { ReadBatcher } from './read-batch.js';
import type { InflightCall } from './get-or-set.js';
import type { RefreshResult } from './refresh.js';
import { cacheTracer } from './tracing.js';
import { checkJitter, DEFAULT_TTL_PRESETS, resolveTtlSeconds } from './ttl.js';

const TAGS_DOMAIN = '__tags';
const LOCK_DOMAIN = '__lock';
const BUS_CHANNEL = '__bus';

/** CacheOptions resolved and validated once, when the root cache is built. */
export interface Settings {
  presets: Readonly<Record<TtlPreset, number>>;
  defaultTtl: Ttl;
  jitter: number;
  graceMs: number;
  schemaVersion: number;
  loaderTimeoutMs: number | undefined;
  softTimeoutMs: number;
  negativeTtlSeconds: number | undefined;
  earlyRefresh: number;
}

/** State shared by a cache and all its namespaces: one connection, breaker, metrics and in-flight map. */
export interface Core {
  root: Keyspace;
  tagKeys: Keyspace;
  lockKeys: Keyspace;
  logger: Logger;
  /** The metrics on the given registry; without one, metrics that record nothing. */
  metrics: CacheMetricsSink;
  /** The tracer given in the deps, else the global OpenTelemetry one (looked up per call: see cacheTracer). */
  tracer: () => Tracer;
  l2: L2;
  /** Every GET of entries and tag tokens, batched per tick into one MGET. */
  reads: ReadBatcher;
  settings: Settings;
  /** getOrSet calls past the L1 in flight in this process, by full key: concurrent calls of a key share one. */
  inflight: Map<string, InflightCall>;
  /** Background refreshes running in this process, by full key: at most one per key, joined by soft waits. */
  refreshing: Map<string, Promise<RefreshResult>>;
  l1: L1 | undefined;
  l1TtlMs: number;
  lock: Required<LockOptions> | undefined;
  bus: InvalidationBus | undefined;
  /** invalidateTags' failed tags, retried until Redis takes them; one list for all namespaces. */
  retries: InvalidationRetries;
}

export function buildCore(deps: CacheDeps, options: CacheOptions): Core {
  const metrics = deps.registry ? createCacheMetrics(deps.registry) : NO_CACHE_METRICS;
  const logger = deps.logger ?? silentLogger();
  const keys = toKeyspace(deps.keys, DEFAULT_KEY_PREFIX);
  const given = deps.tracer;
  // Validates the breaker and the timeout (CacheArgumentError), before anything is started.
  const l2 = new L2(deps.redis, logger, metrics, {
    operationTimeoutMs: options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS,
    breaker: { ...DEFAULT_BREAKER, ...options.breaker },
  });
  const settings: Settings = {
    presets: { ...DEFAULT_TTL_PRESETS, ...options.ttlPresets },
    defaultTtl: options.defaultTtl ?? 'medium',
    jitter: checkJitter(options.jitter ?? 0),
    graceMs: Math.round(checkGrace(options.graceSeconds ?? 0) * 1000),
    schemaVersion: options.schemaVersion ?? 0,
    earlyRefresh: checkFraction(options.earlyRefresh ?? 0, 'earlyRefresh'),
    loaderTimeoutMs:
      options.loaderTimeoutMs === undefined
        ? undefined
        : positive(options.loaderTimeoutMs, 'loaderTimeoutMs'),
    softTimeoutMs: nonNegative(options.softTimeoutMs ?? 0, 'softTimeoutMs'),
    negativeTtlSeconds:
      options.negativeTtlSeconds === undefined
        ? undefined
        : positive(options.negativeTtlSeconds, 'negativeTtlSeconds'),
  };
  resolveTtlSeconds(settings.defaultTtl, settings.presets);
  for (const preset of Object.keys(settings.presets) as TtlPreset[])
    resolveTtlSeconds(preset, settings.presets);
  const l1 = options.l1
    ? new L1(
        positive(options.l1.maxEntries ?? DEFAULT_L1.maxEntries, 'l1.maxEntries'),
        positive(options.l1.maxBytes ?? DEFAULT_L1.maxBytes, 'l1.maxBytes'),
        {
          changed: (cache, entries, bytes) => {
            metrics.l1Entries.inc({ cache }, entries);
            metrics.l1Bytes.inc({ cache }, bytes);
          },
          evicted: (cache) => metrics.l1Evictions.inc({ cache }),
        },
      )
    : undefined;
  const bus =
    l1 && deps.subscriber
      ? new InvalidationBus(
          deps.subscriber,
          `${keys.prefix}${BUS_CHANNEL}`,
          logger,
          (message) => applyInvalidation(l1, message),
          () => l1.clear(),
        )
      : undefined;
  const retry = { ...DEFAULT_INVALIDATION_RETRY, ...options.invalidationRetry };
  const core: Core = {
    root: keys,
    tagKeys: keys.child(TAGS_DOMAIN),
    lockKeys: keys.child(LOCK_DOMAIN),
    logger,
    metrics,
    tracer: given ? () => given : cacheTracer,
    l2,
    reads: new ReadBatcher(l2),
    settings,
    inflight: new Map(),
    refreshing: new Map(),
    l1,
    l1TtlMs: Math.round(positive(options.l1?.ttlSeconds ?? DEFAULT_L1.ttlSeconds, 'l1.ttlSeconds') * 1000),
    lock:
      options.lock === false
        ? undefined
        : {
            ttlMs: positive(options.lock?.ttlMs ?? DEFAULT_LOCK.ttlMs, 'lock.ttlMs'),
            waitMs: positive(options.lock?.waitMs ?? DEFAULT_LOCK.waitMs, 'lock.waitMs'),
            pollMs: positive(options.lock?.pollMs ?? DEFAULT_LOCK.pollMs, 'lock.pollMs'),
          },
    bus,
    retries: new InvalidationRetries(
      (cache, tag) => invalidateTagNow(core, cache, tag),
      logger,
      metrics.invalidationsPending,
      {
        retryMs: positive(retry.retryMs, 'invalidationRetry.retryMs'),
        maxPending: positive(retry.maxPending, 'invalidationRetry.maxPending'),
      },
    ),
  };
  return core;
}
