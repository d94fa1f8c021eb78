import { getOrCreateMetric as getOrCreate, type MetricsRegistry as AnyRegistry } from '@rnh/redis-client';
import { Counter, Gauge, Histogram } from 'prom-client';

export const LOADER_DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type Labels<L extends string> = Partial<Record<L, string | number>>;
interface CounterSink<L extends string> {
  inc(labels: Labels<L>, value?: number): void;
}
export interface GaugeSink<L extends string> extends CounterSink<L> {
  dec(labels: Labels<L>, value?: number): void;
}
interface TimerSink<L extends string> {
  startTimer(labels: Labels<L>): () => number;
}

/** What the cache records with: CacheMetrics on the given registry, or NO_CACHE_METRICS without one. */
export interface CacheMetricsSink {
  readonly lookups: CounterSink<'cache' | 'layer' | 'result'>;
  readonly loaderDuration: TimerSink<'cache'>;
  readonly coalesced: CounterSink<'cache'>;
  readonly invalidations: CounterSink<'cache' | 'kind'>;
  readonly invalidationsPending: GaugeSink<'cache'>;
  readonly errors: CounterSink<'cache' | 'operation'>;
  readonly fallbackReads: CounterSink<'cache' | 'source'>;
  readonly lockWaits: CounterSink<'cache'>;
  readonly lockTimeouts: CounterSink<'cache'>;
  readonly l1Entries: CounterSink<'cache'>;
  readonly l1Bytes: CounterSink<'cache'>;
  readonly l1Evictions: CounterSink<'cache'>;
  initNamespace(cache: string): void;
}

const recordsNothing = { inc: () => undefined, dec: () => undefined, startTimer: () => () => 0 };

/**
 * No registry, no metrics: every metric is one that records nothing, so a cache built
 * without a registry spends no time on label lookups and series nobody scrapes.
 */
export const NO_CACHE_METRICS: CacheMetricsSink = {
  lookups: recordsNothing,
  loaderDuration: recordsNothing,
  coalesced: recordsNothing,
  invalidations: recordsNothing,
  invalidationsPending: recordsNothing,
  errors: recordsNothing,
  fallbackReads: recordsNothing,
  lockWaits: recordsNothing,
  lockTimeouts: recordsNothing,
  l1Entries: recordsNothing,
  l1Bytes: recordsNothing,
  l1Evictions: recordsNothing,
  initNamespace: () => undefined,
};

/**
 * The cache's metrics on an injected registry. Labels are bounded: `cache` is the
 * namespace name, `operation` a fixed set of names; never a key or value.
 */
export class CacheMetrics implements CacheMetricsSink {
  readonly lookups: Counter<'cache' | 'layer' | 'result'>;
  readonly loaderDuration: Histogram<'cache'>;
  readonly coalesced: Counter<'cache'>;
  readonly invalidations: Counter<'cache' | 'kind'>;
  readonly invalidationsPending: Gauge<'cache'>;
  readonly errors: Counter<'cache' | 'operation'>;
  readonly fallbackReads: Counter<'cache' | 'source'>;
  readonly lockWaits: Counter<'cache'>;
  readonly lockTimeouts: Counter<'cache'>;
  readonly l1Entries: Gauge<'cache'>;
  readonly l1Bytes: Gauge<'cache'>;
  readonly l1Evictions: Counter<'cache'>;

  constructor(registry: AnyRegistry) {
    const registers = [registry];
    this.lookups = getOrCreate(
      registry,
      'cache_lookups_total',
      () =>
        new Counter({
          name: 'cache_lookups_total',
          help: 'Cache lookups by cache (namespace), layer (l1|l2) and result (hit|miss|stale|error).',
          labelNames: ['cache', 'layer', 'result'],
          registers,
        }),
    );
    this.loaderDuration = getOrCreate(
      registry,
      'cache_loader_duration_seconds',
      () =>
        new Histogram({
          name: 'cache_loader_duration_seconds',
          help: 'Time spent in getOrSet loaders (the source of truth), successful or not.',
          labelNames: ['cache'],
          buckets: LOADER_DURATION_BUCKETS,
          registers,
        }),
    );
    this.coalesced = getOrCreate(
      registry,
      'cache_coalesced_total',
      () =>
        new Counter({
          name: 'cache_coalesced_total',
          help: 'getOrSet callers that joined a load already in flight in this process instead of calling the loader.',
          labelNames: ['cache'],
          registers,
        }),
    );
    this.invalidations = getOrCreate(
      registry,
      'cache_invalidations_total',
      () =>
        new Counter({
          name: 'cache_invalidations_total',
          help: 'Invalidations by kind (key|tag|namespace).',
          labelNames: ['cache', 'kind'],
          registers,
        }),
    );
    this.invalidationsPending = getOrCreate(
      registry,
      'cache_invalidations_pending',
      () =>
        new Gauge({
          name: 'cache_invalidations_pending',
          help: 'Tags invalidateTags could not invalidate yet, retried in the background until Redis answers.',
          labelNames: ['cache'],
          registers,
        }),
    );
    this.errors = getOrCreate(
      registry,
      'cache_errors_total',
      () =>
        new Counter({
          name: 'cache_errors_total',
          help: 'Cache errors by operation (get, set, delete, ..., decode for unreadable entries, loader for failed background refreshes).',
          labelNames: ['cache', 'operation'],
          registers,
        }),
    );
    this.fallbackReads = getOrCreate(
      registry,
      'cache_fallback_reads_total',
      () =>
        new Counter({
          name: 'cache_fallback_reads_total',
          help: 'getOrSet reads answered while Redis could not be read (down, timed out, or behind the open breaker), by source: loader (the source of truth) or l1 (a stale in-process copy within its grace).',
          labelNames: ['cache', 'source'],
          registers,
        }),
    );
    this.lockWaits = getOrCreate(
      registry,
      'cache_lock_waits_total',
      () =>
        new Counter({
          name: 'cache_lock_waits_total',
          help: 'getOrSet misses that waited for another process holding the load lock instead of loading.',
          labelNames: ['cache'],
          registers,
        }),
    );
    this.lockTimeouts = getOrCreate(
      registry,
      'cache_lock_timeouts_total',
      () =>
        new Counter({
          name: 'cache_lock_timeouts_total',
          help: 'Lock waits that ended without the holder writing a value (the waiter then loaded itself).',
          labelNames: ['cache'],
          registers,
        }),
    );
    this.l1Entries = getOrCreate(
      registry,
      'cache_l1_entries',
      () =>
        new Gauge({
          name: 'cache_l1_entries',
          help: 'Entries held in the in-process L1 (summed over the cache instances of this process).',
          labelNames: ['cache'],
          registers,
        }),
    );
    this.l1Bytes = getOrCreate(
      registry,
      'cache_l1_bytes',
      () =>
        new Gauge({
          name: 'cache_l1_bytes',
          help: 'Encoded size of the entries held in the in-process L1.',
          labelNames: ['cache'],
          registers,
        }),
    );
    this.l1Evictions = getOrCreate(
      registry,
      'cache_l1_evictions_total',
      () =>
        new Counter({
          name: 'cache_l1_evictions_total',
          help: 'L1 entries evicted to stay within the entry or byte bound (not expiries or invalidations).',
          labelNames: ['cache'],
          registers,
        }),
    );
  }
  /**
   * Zero series for a namespace's counters of rare events, so "none happened" reads as 0
   * in Prometheus instead of as a missing series (which alerts and panels cannot tell from
   * a broken exporter).
   */
  initNamespace(cache: string): void {
    for (const counter of [this.coalesced, this.lockWaits, this.lockTimeouts, this.l1Evictions])
      counter.inc({ cache }, 0);
    this.invalidationsPending.inc({ cache }, 0);
    for (const source of ['loader', 'l1']) this.fallbackReads.inc({ cache, source }, 0);
  }
}

/** The cache metrics on `registry`; safe to call twice on one registry (the metrics are shared). */
export function createCacheMetrics(registry: AnyRegistry): CacheMetrics {
  return new CacheMetrics(registry);
}
