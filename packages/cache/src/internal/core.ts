import type { Keyspace, Logger } from '@rnh/redis-client';
import { CacheArgumentError } from '../errors.js';
import { CacheMetrics } from '../metrics.js';
import type { CacheDeps, CacheOptions, LockOptions, TtlPreset, Ttl } from '../types.js';
import { InvalidationBus, type Invalidation } from './bus.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { L1 } from './l1.js';
import { L2 } from './l2.js';
import { DEFAULT_TTL_PRESETS, resolveTtlSeconds } from './ttl.js';

export const NAMESPACE = /^[A-Za-z0-9_.-]{1,64}$/;
export const TAGS_DOMAIN = '__tags';
export const LOCK_DOMAIN = '__lock';
export const MAX_TAG_LENGTH = 256;

export interface Settings {
  presets: Readonly<Record<TtlPreset, number>>;
  defaultTtl: Ttl;
  jitter: number;
  graceMs: number;
  schemaVersion: number;
  loaderTimeoutMs: number | undefined;
  negativeTtlSeconds: number | undefined;
  earlyRefresh: number;
}

/** State shared by a cache and all its namespaces: one connection, breaker, metrics and in-flight map. */
export interface Core {
  root: Keyspace;
  tagKeys: Keyspace;
  logger: Logger;
  metrics: CacheMetrics;
  l2: L2;
  settings: Settings;
  /** Loads in flight in this process, by full key: concurrent getOrSet calls share one. */
  inflight: Map<string, Promise<unknown>>;
  /** Keys with a background (stale) refresh running. */
  refreshing: Set<string>;
  l1: L1 | undefined;
  l1TtlMs: number;
  lockKeys: Keyspace;
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
    jitter: options.jitter ?? 0,
    graceMs: Math.round(checkGrace(options.graceSeconds ?? 0) * 1000),
    schemaVersion: options.schemaVersion ?? 0,
    earlyRefresh: checkFraction(options.earlyRefresh ?? 0, 'earlyRefresh'),
    loaderTimeoutMs:
      options.loaderTimeoutMs === undefined
        ? undefined
        : positive(options.loaderTimeoutMs, 'loaderTimeoutMs'),
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
  return {
    root: deps.keys,
    tagKeys: deps.keys.child(TAGS_DOMAIN),
    logger: deps.logger,
    metrics,
    l2: new L2(deps.redis, deps.logger, metrics, breaker, options.operationTimeoutMs ?? 500),
    settings,
    inflight: new Map(),
    refreshing: new Set(),
    l1,
    lockKeys: deps.keys.child(LOCK_DOMAIN),
    lock:
      options.lock === false
        ? undefined
        : {
            ttlMs: positive(options.lock?.ttlMs ?? 5000, 'lock.ttlMs'),
            waitMs: positive(options.lock?.waitMs ?? 3000, 'lock.waitMs'),
            pollMs: positive(options.lock?.pollMs ?? 25, 'lock.pollMs'),
          },
    l1TtlMs: Math.round(positive(options.l1?.ttlSeconds ?? 60, 'l1.ttlSeconds') * 1000),
    bus,
  };
}

export const BUS_CHANNEL = '__bus';

export function applyInvalidation(l1: L1, message: Invalidation): void {
  for (const key of message.keys ?? []) l1.delete(key);
  if (message.tag !== undefined) dropTag(l1, message.tag);
  const prefix = message.prefix;
  if (prefix) l1.deleteWhere((key) => key.startsWith(prefix));
}

export function dropTag(l1: L1 | undefined, tag: string): void {
  l1?.deleteWhere((_key, entry) => entry.tags.includes(tag));
}

export function positive(value: number, what: string): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new CacheArgumentError(`${what} must be > 0 (got ${value})`);
  return value;
}

export function assertNamespace(name: string): void {
  if (!NAMESPACE.test(name) || name.startsWith('__')) {
    throw new CacheArgumentError(
      `cache namespace must be 1-64 of [A-Za-z0-9_.-], not starting with "__" (got ${JSON.stringify(name.slice(0, 80))})`,
    );
  }
}

export function checkFraction(value: number, what: string): number {
  if (!(value >= 0 && value <= 1)) throw new CacheArgumentError(`${what} must be within 0..1 (got ${value})`);
  return value;
}

export function checkGrace(seconds: number): number {
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new CacheArgumentError(`graceSeconds must be >= 0 (got ${seconds})`);
  }
  return seconds;
}

export function normalizeTags(tags: readonly string[] | undefined): string[] {
  if (!tags) return [];
  for (const tag of tags) {
    if (typeof tag !== 'string' || tag.length === 0 || tag.length > MAX_TAG_LENGTH) {
      throw new CacheArgumentError(
        `a tag must be a non-empty string of at most ${MAX_TAG_LENGTH} characters`,
      );
    }
  }
  return [...new Set(tags)];
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown';
}
