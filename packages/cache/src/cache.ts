import type { Keyspace } from '@rnh/redis-client';
import { DEFAULT_NAMESPACE } from './defaults.js';
import { CacheArgumentError } from './errors.js';
import { assertNamespace, checkTags, nonNegative, normalizeTags } from './internal/checks.js';
import { buildCore, type Core } from './internal/core.js';
import { EntryStore } from './internal/entries.js';
import { GetOrSetFlow } from './internal/get-or-set.js';
import { invalidateTagNow, publishInvalidation } from './internal/invalidation.js';
import { LocalCopies } from './internal/local-copies.js';
import { LoadLock } from './internal/lock.js';
import { Refresher } from './internal/refresh.js';
import { scanTargets, unlinkBatch } from './internal/scan.js';
import { INCREMENT } from './internal/scripts.js';
import { resolveTtlSeconds } from './internal/ttl.js';
import { checkWriteOptions, freshMsOf, planWrite } from './internal/write-plan.js';
import { encodeEnvelope } from './serializer.js';
import type { CacheDeps, CacheOptions, EntryState, GetOrSetOptions, SetOptions, Ttl } from './types.js';

export { TRACER_NAME } from './internal/tracing.js';

/** The default options of getOrSet: one object, so a call without options checks nothing. */
const NO_OPTIONS: GetOrSetOptions = Object.freeze({});

/** Lets namespace() hand its core to the new Cache without making it part of CacheDeps. */
const CORE = Symbol('@rnh/cache/core');

/**
 * A Redis-backed cache (L2). Reads fail open: a Redis error, timeout or open
 * circuit breaker is a miss (counted and logged), never an exception. Writes via
 * `set` fail open too. Invalidations (`delete`, `invalidateTag`, `clear`) and
 * `increment` throw CacheUnavailableError instead, so a caller knows they did
 * not happen.
 */
export class Cache {
  /** The namespace; the `cache` label of every metric. */
  readonly name: string;
  private readonly core: Core;
  private readonly keys: Keyspace;
  /** `<prefix>cache:<name>:`, the start of every full key. */
  private readonly prefix: string;
  private readonly entries: EntryStore;
  private readonly local: LocalCopies;
  private readonly flow: GetOrSetFlow;

  constructor(deps: CacheDeps, options: CacheOptions = {}) {
    const name = options.name ?? DEFAULT_NAMESPACE;
    assertNamespace(name);
    this.name = name;
    const core = (deps as { [CORE]?: Core })[CORE] ?? buildCore(deps, options);
    this.core = core;
    core.metrics.initNamespace(name);
    this.keys = core.root.child(name);
    this.prefix = this.keys.prefix;
    this.entries = new EntryStore(core, name);
    this.local = new LocalCopies(core, name);
    const lock = core.lock ? new LoadLock(core, name, this.entries, core.lock) : undefined;
    const refresher = new Refresher(core, name, this.entries, this.local, lock);
    this.flow = new GetOrSetFlow(core, name, this.entries, this.local, lock, refresher);
  }

  /**
   * Subscribes the L1 invalidation bus (when a `subscriber` was given); until then
   * the L1 is bypassed. Shared by all namespaces: call it once, on the root cache.
   */
  async start(): Promise<void> {
    await this.core.bus?.start();
  }

  /**
   * Makes one last attempt at the invalidations still pending (see invalidateTags) and stops
   * retrying them, then unsubscribes the bus and empties the L1. The Redis connections are the
   * caller's to close, after this.
   */
  async close(): Promise<void> {
    await this.core.retries.close();
    await this.core.bus?.stop();
    this.core.l1?.clear();
  }

  /** A cache under `<prefix>cache:<name>:` sharing this one's connection, breaker, settings and metrics. */
  namespace(name: string): Cache {
    const deps = { [CORE]: this.core } as unknown as CacheDeps;
    return new Cache(deps, { name });
  }

  /** The fresh value, or undefined (absent, expired, stale, invalidated by a tag, unreadable, or Redis failing). */
  async get<T = unknown>(key: string): Promise<T | undefined> {
    const fullKey = this.fullKey(key);
    const local = this.local.fresh(fullKey);
    if (local) return local.value as T;
    const found = await this.entries.read(fullKey);
    this.entries.count(found.kind === 'stale' ? 'miss' : found.kind);
    if (found.kind !== 'hit') return undefined;
    if (this.core.l1 !== undefined) this.local.keep(fullKey, found, found.graceMs);
    return found.value as T;
  }

  /**
   * The value with its freshness: `{ value, stale: false }` for a fresh entry,
   * `{ value, stale: true }` past its TTL but within its grace period, undefined
   * otherwise (absent, invalidated, unreadable, or Redis failing). Unlike getOrSet
   * it never refreshes: the caller decides whether a stale value may be used
   * (the response-cache middleware replays it only when the handler fails).
   * A stale read is counted as an l2 `miss`, as get() counts it.
   */
  async getWithState<T = unknown>(key: string): Promise<EntryState<T> | undefined> {
    const fullKey = this.fullKey(key);
    const local = this.local.fresh(fullKey);
    if (local) return { value: local.value as T, stale: false };
    const found = await this.entries.read(fullKey);
    this.entries.count(found.kind === 'stale' ? 'miss' : found.kind);
    if (found.kind === 'hit' && this.core.l1 !== undefined) this.local.keep(fullKey, found, found.graceMs);
    if (found.kind !== 'hit' && found.kind !== 'stale') return undefined;
    return { value: found.value as T, stale: found.kind === 'stale' };
  }

  async has(key: string): Promise<boolean> {
    const fullKey = this.fullKey(key);
    if (this.local.fresh(fullKey)) return true;
    const found = await this.entries.read(fullKey);
    this.entries.count(found.kind === 'stale' ? 'miss' : found.kind);
    return found.kind === 'hit';
  }

  /**
   * Stores `value` for `ttlSeconds` (plus the grace period). Throws
   * CacheSerializationError for a value that cannot round-trip; a Redis failure
   * is counted and logged and answers false.
   */
  async set(key: string, value: unknown, options: SetOptions = {}): Promise<boolean> {
    const fullKey = this.fullKey(key);
    const tags = normalizeTags(options.tags);
    const plan = planWrite(this.core.settings, options);
    // Refuse an unserializable value before touching Redis.
    encodeEnvelope(value, { graceMs: plan.graceMs, schemaVersion: this.core.settings.schemaVersion });
    const tokens = await this.entries.tagTokens(tags, plan.lifetimeMs).catch(() => undefined);
    if (!tokens) return false;
    const bytes = await this.entries.write(fullKey, value, plan, tokens);
    this.local.drop(fullKey);
    if (bytes) {
      await publishInvalidation(this.core, this.name, { keys: [fullKey] });
      this.local.keep(fullKey, { value, bytes, freshMs: freshMsOf(plan), tags }, plan.graceMs);
    }
    return bytes > 0;
  }

  /** Removes one entry; throws CacheUnavailableError when Redis cannot be reached. */
  async delete(key: string): Promise<boolean> {
    const fullKey = this.fullKey(key);
    this.local.drop(fullKey);
    const removed = await this.core.l2.call(this.name, 'delete', (redis) => redis.unlink(fullKey));
    this.core.metrics.invalidations.inc({ cache: this.name, kind: 'key' });
    await publishInvalidation(this.core, this.name, { keys: [fullKey] });
    return removed > 0;
  }

  /**
   * Seconds until the entry goes stale (0 when already stale), or undefined when
   * there is none or Redis fails. For a counter from `increment`, its remaining TTL.
   */
  async ttl(key: string): Promise<number | undefined> {
    return this.entries.secondsUntilStale(this.fullKey(key));
  }

  /**
   * Adds `by` to a counter and returns the new value. The TTL is set when the
   * counter is created and not pushed forward by later calls (one Lua script).
   * Throws CacheUnavailableError when Redis fails (a counter cannot fail open).
   */
  async increment(key: string, by = 1, ttl: Ttl = this.core.settings.defaultTtl): Promise<number> {
    if (!Number.isSafeInteger(by)) throw new CacheArgumentError(`increment needs an integer (got ${by})`);
    const ttlMs = Math.round(resolveTtlSeconds(ttl, this.core.settings.presets) * 1000);
    const fullKey = this.fullKey(key);
    const value = await this.core.l2.call(this.name, 'increment', (redis) =>
      INCREMENT.run(redis, [fullKey], [by, ttlMs]),
    );
    return Number(value);
  }

  /**
   * Invalidates every entry written with `tag`, in any namespace, without scanning.
   * Throws CacheUnavailableError when Redis fails.
   *
   * How tags work: each tag has a token key `<prefix>cache:__tags:<tag>` holding a
   * random token. An entry records the tokens of its tags when written, and is
   * valid only while each tag key still holds that token. Invalidation deletes
   * the tag key (the next write creates a new random token, so an old token can
   * never become valid again). Every Redis call here touches one key, so this is
   * correct on Cluster with no hash-tag co-location: the entry and its tag keys
   * may live in different slots. The cost is one extra read per tag on a hit of
   * a tagged entry (auto-pipelined). getOrSet reads the tokens before calling the
   * loader, so an invalidation that happens while loading makes the new entry
   * invalid instead of letting it cache pre-invalidation data.
   */
  async invalidateTag(tag: string): Promise<void> {
    const [checked] = normalizeTags([tag]);
    await invalidateTagNow(this.core, this.name, checked!);
  }

  /**
   * Invalidates every entry written with any of `tags`, as invalidateTag does, but never
   * throws when Redis fails: a tag Redis does not take (down, timed out, breaker open) is
   * kept and retried in the background every `invalidationRetry.retryMs` until it goes
   * through, and once more by close(). Meant for the invalidation after a write to the
   * source of truth: the write has happened, so its caller has nothing to undo, and the
   * invalidation must not be forgotten. A bad tag throws CacheArgumentError at once.
   */
  async invalidateTags(...tags: string[]): Promise<void> {
    await this.core.retries.invalidate(this.name, normalizeTags(tags));
  }

  /** Tags from invalidateTags still waiting for Redis, in this cache and all its namespaces. */
  get pendingInvalidations(): number {
    return this.core.retries.size;
  }

  /**
   * Removes every key of this namespace: SCAN (every master of a cluster) and
   * UNLINK in batches, inside `<prefix>cache:<name>:` only. Returns how many were removed.
   */
  async clear(): Promise<number> {
    const pattern = this.keys.pattern();
    const prefix = this.keys.prefix;
    this.local.dropPrefix(prefix);
    let removed = 0;
    for (const node of scanTargets(this.core.l2.redis)) {
      let cursor = '0';
      do {
        const [next, keys] = await this.core.l2.call(this.name, 'clear', () =>
          node.scan(cursor, 'MATCH', pattern, 'COUNT', 500),
        );
        cursor = next;
        removed += await this.core.l2.call(this.name, 'clear', (redis) => unlinkBatch(redis, keys));
      } while (cursor !== '0');
    }
    this.core.metrics.invalidations.inc({ cache: this.name, kind: 'namespace' });
    await publishInvalidation(this.core, this.name, { prefix });
    return removed;
  }

  /**
   * The cached value, or the loader's (then cached). Concurrent calls for one key
   * in this process share one lookup and one loader call; across processes the
   * load lock lets one process load while the others wait for its value. A stale
   * entry (within the grace period) is refreshed in the background and served at
   * once, or after up to `softTimeoutMs` when the refresh is not back by then.
   * When Redis fails the loader's value is returned (fail open). Only the loader's
   * own error reaches the caller, unchanged.
   *
   * Every call past the L1 has a `cache.getOrSet` span with its outcome; it is made
   * the active span only while a loader may run (see GetOrSetFlow). An L1 hit has
   * no span (it is counted in `cache_lookups_total{layer="l1"}`): a span costs
   * more than the hit itself.
   */
  getOrSet<T>(key: string, loader: () => Promise<T> | T, options: GetOrSetOptions = NO_OPTIONS): Promise<T> {
    const fullKey = this.fullKey(key);
    if (options !== NO_OPTIONS) this.checkGetOrSetOptions(options);
    const local = this.local.fresh(fullKey);
    if (local !== undefined) return Promise.resolve(local.value as T);
    return this.flow.run(fullKey, loader, options) as Promise<T>;
  }

  /** getOrSet's argument checks, thrown at once (its plan and tags are worked out only when it writes). */
  private checkGetOrSetOptions(options: GetOrSetOptions): void {
    checkTags(options.tags);
    checkWriteOptions(this.core.settings, options);
    if (options.softTimeoutMs !== undefined) nonNegative(options.softTimeoutMs, 'softTimeoutMs');
  }

  private fullKey(key: string): string {
    if (typeof key !== 'string' || key.length === 0)
      throw new CacheArgumentError('cache key must be a non-empty string');
    return this.prefix + key;
  }
}
