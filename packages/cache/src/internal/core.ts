import { CircuitBreaker, type Keyspace, type Logger } from '@rnh/redis-client';
import { CacheArgumentError } from '../errors.js';
import { CacheMetrics } from '../metrics.js';
import type { CacheDeps, CacheOptions, LockOptions, TtlPreset, Ttl } from '../types.js';
import { InvalidationBus } from './bus.js';
import { checkFraction, checkGrace, nonNegative, positive } from './checks.js';
import { applyInvalidation } from './invalidation.js';
import { L1 } from './l1.js';
import { L2 } from './l2.js';
import { ReadBatcher } from './read-batch.js';
import type { InflightCall } from './get-or-set.js';
import type { RefreshResult } from './refresh.js';
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
  metrics: CacheMetrics;
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
}

export function buildCore(deps: CacheDeps, options: CacheOptions): Core {
  const metrics = deps.metrics ?? (deps.registry ? new CacheMetrics(deps.registry) : undefined);
  if (!metrics) throw new CacheArgumentError('Cache needs `registry` or `metrics`');
  const breaker = new CircuitBreaker(options.breakerThreshold ?? 5, options.breakerCooldownMs ?? 5000);
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
        positive(options.l1.maxEntries ?? 10_000, 'l1.maxEntries'),
        positive(options.l1.maxBytes ?? 64 * 1024 * 1024, 'l1.maxBytes'),
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
          `${deps.keys.prefix}${BUS_CHANNEL}`,
          deps.logger,
          (message) => applyInvalidation(l1, message),
          () => l1.clear(),
        )
      : undefined;
  const l2 = new L2(deps.redis, deps.logger, metrics, breaker, options.operationTimeoutMs ?? 500);
  return {
    root: deps.keys,
    tagKeys: deps.keys.child(TAGS_DOMAIN),
    lockKeys: deps.keys.child(LOCK_DOMAIN),
    logger: deps.logger,
    metrics,
    l2,
    reads: new ReadBatcher(l2),
    settings,
    inflight: new Map(),
    refreshing: new Map(),
    l1,
    l1TtlMs: Math.round(positive(options.l1?.ttlSeconds ?? 60, 'l1.ttlSeconds') * 1000),
    lock:
      options.lock === false
        ? undefined
        : {
            ttlMs: positive(options.lock?.ttlMs ?? 5000, 'lock.ttlMs'),
            waitMs: positive(options.lock?.waitMs ?? 3000, 'lock.waitMs'),
            pollMs: positive(options.lock?.pollMs ?? 25, 'lock.pollMs'),
          },
    bus,
  };
}
