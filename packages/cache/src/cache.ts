import { randomBytes } from 'node:crypto';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { Keyspace } from '@rnh/redis-client';
import { CacheArgumentError, CacheLoaderTimeoutError, CacheSerializationError } from './errors.js';
import type { Invalidation } from './internal/bus.js';
import {
  assertNamespace,
  buildCore,
  checkFraction,
  checkGrace,
  dropTag,
  errorName,
  normalizeTags,
  sleep,
  type Core,
} from './internal/core.js';
import { DELETE_IF_EQUALS, INCREMENT, READ_ENTRY, TAG_TOKEN } from './internal/scripts.js';
import { scanTargets, unlinkBatch } from './internal/scan.js';
import { entryTtlMs, resolveTtlSeconds } from './internal/ttl.js';
import { decodeEnvelope, encodeEnvelope } from './serializer.js';
import type {
  CacheDeps,
  CacheOptions,
  GetOrSetOptions,
  GetOrSetOutcome,
  LookupResult,
  SetOptions,
  Ttl,
} from './types.js';

export const TRACER_NAME = '@rnh/cache';

type Lookup =
  | {
      kind: 'hit' | 'stale';
      value: unknown;
      bytes: number;
      freshMs: number;
      ttlMs: number | undefined;
      tags: string[];
    }
  | { kind: 'miss' | 'error' };

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

  constructor(deps: CacheDeps, options: CacheOptions = {}) {
    const name = options.name ?? 'default';
    assertNamespace(name);
    this.name = name;
    this.core = (deps as { [CORE]?: Core })[CORE] ?? buildCore(deps, options);
    this.keys = this.core.root.child(name);
  }

  /**
   * Subscribes the L1 invalidation bus (when a `subscriber` was given); until then
   * the L1 is bypassed. Shared by all namespaces: call it once, on the root cache.
   */
  async start(): Promise<void> {
    await this.core.bus?.start();
  }

  /** Unsubscribes the bus and empties the L1; the Redis connections are the caller's to close. */
  async close(): Promise<void> {
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
    const local = this.l1Fresh(fullKey);
    if (local) return local.value as T;
    const found = await this.lookup(fullKey);
    if (found.kind !== 'hit') return undefined;
    this.l1Put(fullKey, found.value, found.bytes, found.freshMs, found.tags, this.core.settings.graceMs);
    return found.value as T;
  }

  async has(key: string): Promise<boolean> {
    const fullKey = this.fullKey(key);
    if (this.l1Fresh(fullKey)) return true;
    return (await this.lookup(fullKey)).kind === 'hit';
  }

  /**
   * Stores `value` for `ttlSeconds` (plus the grace period). Throws
   * CacheSerializationError for a value that cannot round-trip; a Redis failure
   * is counted and logged and answers false.
   */
  async set(key: string, value: unknown, options: SetOptions = {}): Promise<boolean> {
    const fullKey = this.fullKey(key);
    const tags = normalizeTags(options.tags);
    const plan = this.plan(options);
    encodeEnvelope(value, { graceMs: plan.graceMs, schemaVersion: this.core.settings.schemaVersion });
    const tokens = tags.length > 0 ? await this.tagTokens(tags, plan.lifetimeMs).catch(() => undefined) : {};
    if (!tokens) return false;
    const written = await this.write(fullKey, value, plan, tokens);
    this.core.l1?.delete(fullKey);
    if (written) {
      await this.publish({ keys: [fullKey] });
      this.l1Put(fullKey, value, written, plan.lifetimeMs - plan.graceMs, tags, plan.graceMs);
    }
    return written > 0;
  }

  /** Removes one entry; throws CacheUnavailableError when Redis cannot be reached. */
  async delete(key: string): Promise<boolean> {
    const fullKey = this.fullKey(key);
    this.core.l1?.delete(fullKey);
    const removed = await this.core.l2.call(this.name, 'delete', (redis) => redis.unlink(fullKey));
    this.core.metrics.invalidations.inc({ cache: this.name, kind: 'key' });
    await this.publish({ keys: [fullKey] });
    return removed > 0;
  }

  /**
   * Seconds until the entry goes stale (0 when already stale), or undefined when
   * there is none or Redis fails. For a counter from `increment`, its remaining TTL.
   */
  async ttl(key: string): Promise<number | undefined> {
    const fullKey = this.fullKey(key);
    const raw = await this.readRaw(fullKey).catch(() => undefined);
    if (!raw) return undefined;
    const [text, pttl] = raw;
    if (pttl < 0) return undefined;
    let graceMs = 0;
    try {
      graceMs = decodeEnvelope(text, this.core.settings.schemaVersion).graceMs;
    } catch {
      // Not an envelope (a counter): its PTTL is its TTL.
    }
    return Math.max(0, Math.ceil((pttl - graceMs) / 1000));
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
    const tagKey = this.core.tagKeys.key(checked!);
    dropTag(this.core.l1, checked!);
    await this.core.l2.call(this.name, 'invalidate_tag', (redis) => redis.unlink(tagKey));
    this.core.metrics.invalidations.inc({ cache: this.name, kind: 'tag' });
    await this.publish({ tag: checked! });
  }

  /**
   * Removes every key of this namespace: SCAN (every master of a cluster) and
   * UNLINK in batches, inside `<prefix>cache:<name>:` only. Returns how many were removed.
   */
  async clear(): Promise<number> {
    const pattern = this.keys.pattern();
    const prefix = this.keys.prefix;
    this.core.l1?.deleteWhere((key) => key.startsWith(prefix));
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
    await this.publish({ prefix });
    return removed;
  }

  /**
   * The cached value, or the loader's (then cached). Concurrent calls for one key
   * in this process share one lookup and one loader call. A stale entry (within
   * the grace period) is served at once and refreshed in the background. When
   * Redis fails the loader's value is returned (fail open). Only the loader's own
   * error reaches the caller, unchanged.
   */
  getOrSet<T>(key: string, loader: () => Promise<T> | T, options: GetOrSetOptions = {}): Promise<T> {
    const fullKey = this.fullKey(key);
    const tags = normalizeTags(options.tags);
    const plan = this.plan(options);
    return trace
      .getTracer(TRACER_NAME)
      .startActiveSpan('cache.getOrSet', { attributes: { 'rnh.cache.name': this.name } }, async (span) => {
        try {
          const local = this.l1Fresh(fullKey);
          if (local) {
            span.setAttribute('rnh.cache.outcome', 'hit' satisfies GetOrSetOutcome);
            return local.value as T;
          }
          const { value, outcome } = await this.coalesce(fullKey, () =>
            this.lookupOrLoad(fullKey, loader, plan, tags, options),
          );
          span.setAttribute('rnh.cache.outcome', outcome);
          return value as T;
        } catch (error) {
          span.setAttribute('rnh.cache.outcome', 'loader_error' satisfies GetOrSetOutcome);
          span.setStatus({ code: SpanStatusCode.ERROR, message: 'loader failed' });
          throw error;
        } finally {
          span.end();
        }
      });
  }

  private async coalesce(
    fullKey: string,
    work: () => Promise<{ value: unknown; outcome: GetOrSetOutcome }>,
  ): Promise<{ value: unknown; outcome: GetOrSetOutcome }> {
    const { inflight, metrics } = this.core;
    const running = inflight.get(fullKey);
    if (running) {
      metrics.coalesced.inc({ cache: this.name });
      return { value: await running, outcome: 'coalesced' };
    }
    const result = work();
    const shared = result.then((settled) => settled.value);
    shared.catch(() => undefined); // rejections reach each caller through their own await
    inflight.set(fullKey, shared);
    try {
      return await result;
    } finally {
      if (inflight.get(fullKey) === shared) inflight.delete(fullKey);
    }
  }

  private async lookupOrLoad(
    fullKey: string,
    loader: () => unknown,
    plan: WritePlan,
    tags: string[],
    options: GetOrSetOptions,
  ): Promise<{ value: unknown; outcome: GetOrSetOutcome }> {
    const found = await this.lookup(fullKey, true);
    if (found.kind === 'hit') {
      this.l1Put(fullKey, found.value, found.bytes, found.freshMs, found.tags, plan.graceMs);
      const early = checkFraction(options.earlyRefresh ?? this.core.settings.earlyRefresh, 'earlyRefresh');
      if (early > 0 && found.ttlMs !== undefined && found.freshMs < early * found.ttlMs) {
        this.refreshInBackground(fullKey, loader, plan, tags);
      }
      return { value: found.value, outcome: 'hit' };
    }
    if (found.kind === 'error') {
      // Redis failing: an L1 copy within its grace period beats calling the loader.
      const local = this.core.l1?.get(fullKey);
      if (local) {
        this.core.metrics.lookups.inc({ cache: this.name, layer: 'l1', result: 'stale' });
        return { value: local.value, outcome: 'stale' };
      }
    }
    if (found.kind === 'stale') {
      this.refreshInBackground(fullKey, loader, plan, tags);
      return { value: found.value, outcome: 'stale' };
    }
    let lockToken: string | undefined;
    if (found.kind === 'miss' && this.core.lock) {
      const lock = await this.acquireLock(fullKey);
      if (lock === 'busy') {
        const waited = await this.waitForHolder(fullKey, plan);
        if (waited.kind === 'hit') return { value: waited.value, outcome: 'waited' };
        if (waited.kind === 'acquired') lockToken = waited.token;
      } else if (lock !== 'error') {
        lockToken = lock;
      }
    }
    try {
      // Tokens before loading: an invalidation during the load then voids this write.
      const tokens =
        found.kind === 'error'
          ? undefined
          : tags.length > 0
            ? await this.tagTokens(tags, plan.lifetimeMs).catch(() => undefined)
            : {};
      const store = async (value: unknown) => {
        if (!tokens) return;
        const negative = value === null || value === undefined;
        const negativeTtl = options.negativeTtlSeconds ?? this.core.settings.negativeTtlSeconds;
        const used =
          negative && negativeTtl !== undefined ? this.plan({ ...options, ttlSeconds: negativeTtl }) : plan;
        const bytes = await this.writeQuietly(fullKey, value, used, tokens);
        if (bytes > 0) this.l1Put(fullKey, value, bytes, used.lifetimeMs - used.graceMs, tags, used.graceMs);
      };
      const loading = this.runLoader(loader);
      const timeoutMs = options.loaderTimeoutMs ?? this.core.settings.loaderTimeoutMs;
      const value =
        timeoutMs === undefined ? await loading : await this.withLoaderTimeout(loading, timeoutMs, store);
      await store(value);
      return { value, outcome: found.kind === 'error' ? 'fallback' : 'loaded' };
    } finally {
      if (lockToken) await this.releaseLock(fullKey, lockToken);
    }
  }

  /** Races the loader against its hard timeout; a late value is still stored by `store`. */
  private withLoaderTimeout(
    loading: Promise<unknown>,
    timeoutMs: number,
    store: (value: unknown) => Promise<void>,
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      let late = false;
      const timer = setTimeout(() => {
        late = true;
        this.core.metrics.errors.inc({ cache: this.name, operation: 'loader_timeout' });
        reject(new CacheLoaderTimeoutError(timeoutMs));
      }, timeoutMs);
      timer.unref();
      loading.then(
        (value) => {
          clearTimeout(timer);
          if (!late) return resolve(value);
          store(value).catch(() => undefined);
        },
        (error: unknown) => {
          clearTimeout(timer);
          if (!late) reject(error);
        },
      );
    });
  }

  private lockKey(fullKey: string): string {
    // `<prefix>cache:__lock:<namespace>:<key>`: used alone (SET NX, compare-and-delete), so any slot is fine.
    return this.core.lockKeys.prefix + fullKey.slice(this.core.root.prefix.length);
  }

  /** A token when this process now holds the load lock, `busy` when another does, `error` when Redis failed. */
  private async acquireLock(fullKey: string): Promise<string | 'busy' | 'error'> {
    const token = randomBytes(9).toString('base64url');
    const ttlMs = this.core.lock!.ttlMs;
    try {
      const ok = await this.core.l2.call(this.name, 'lock', (redis) =>
        redis.set(this.lockKey(fullKey), token, 'PX', ttlMs, 'NX'),
      );
      return ok === 'OK' ? token : 'busy';
    } catch {
      return 'error';
    }
  }

  private async releaseLock(fullKey: string, token: string): Promise<void> {
    await this.core.l2
      .call(this.name, 'unlock', (redis) => DELETE_IF_EQUALS.run(redis, [this.lockKey(fullKey)], [token]))
      .catch(() => undefined);
  }

  /**
   * Another process holds the load lock: poll for its result. If the lock is
   * released without a value (its loader failed), take the lock and load; after
   * `waitMs` (or a Redis error), give up and load without it.
   */
  private async waitForHolder(
    fullKey: string,
    plan: WritePlan,
  ): Promise<{ kind: 'hit'; value: unknown } | { kind: 'acquired'; token: string } | { kind: 'gave_up' }> {
    const { lock, metrics } = this.core;
    metrics.lockWaits.inc({ cache: this.name });
    const deadline = Date.now() + lock!.waitMs;
    while (Date.now() < deadline) {
      await sleep(lock!.pollMs);
      const found = await this.lookupL2(fullKey);
      if (found.kind === 'hit') {
        this.l1Put(fullKey, found.value, found.bytes, found.freshMs, found.tags, plan.graceMs);
        return { kind: 'hit', value: found.value };
      }
      if (found.kind === 'error') return { kind: 'gave_up' };
      const lockNow = await this.acquireLock(fullKey);
      if (lockNow === 'error') return { kind: 'gave_up' };
      if (lockNow !== 'busy') return { kind: 'acquired', token: lockNow };
    }
    metrics.lockTimeouts.inc({ cache: this.name });
    this.core.logger.debug(
      { cache: this.name, operation: 'lock_wait' },
      'cache lock wait timed out; loading',
    );
    return { kind: 'gave_up' };
  }

  private refreshInBackground(fullKey: string, loader: () => unknown, plan: WritePlan, tags: string[]): void {
    const { refreshing } = this.core;
    if (refreshing.has(fullKey)) return;
    refreshing.add(fullKey);
    void (async () => {
      let lockToken: string | undefined;
      try {
        if (this.core.lock) {
          const lock = await this.acquireLock(fullKey);
          if (lock === 'busy' || lock === 'error') return; // another process is refreshing, or Redis is failing
          lockToken = lock;
        }
        const tokens = tags.length > 0 ? await this.tagTokens(tags, plan.lifetimeMs) : {};
        const value = await this.runLoader(loader);
        this.core.l1?.delete(fullKey);
        if ((await this.writeQuietly(fullKey, value, plan, tokens)) > 0)
          await this.publish({ keys: [fullKey] });
      } catch (error) {
        this.core.metrics.errors.inc({ cache: this.name, operation: 'refresh' });
        this.core.logger.warn(
          { cache: this.name, operation: 'refresh', error_type: errorName(error) },
          'cache background refresh failed; the stale value stays until its grace period ends',
        );
      } finally {
        if (lockToken) await this.releaseLock(fullKey, lockToken);
        refreshing.delete(fullKey);
      }
    })();
  }

  private async runLoader(loader: () => unknown): Promise<unknown> {
    const stop = this.core.metrics.loaderDuration.startTimer({ cache: this.name });
    try {
      return await loader();
    } finally {
      stop();
    }
  }

  /** One L2 lookup, counted. `stale` is counted only where a stale value is served (getOrSet); else it is a miss. */
  private async lookup(fullKey: string, servesStale = false): Promise<Lookup> {
    const found = await this.lookupL2(fullKey);
    const result: LookupResult = found.kind === 'stale' && !servesStale ? 'miss' : found.kind;
    this.core.metrics.lookups.inc({ cache: this.name, layer: 'l2', result });
    return found;
  }

  private async lookupL2(fullKey: string): Promise<Lookup> {
    let raw: [string, number] | null;
    try {
      raw = await this.readRaw(fullKey);
    } catch {
      return { kind: 'error' };
    }
    if (!raw) return { kind: 'miss' };
    const [text, pttl] = raw;
    let entry;
    try {
      entry = decodeEnvelope(text, this.core.settings.schemaVersion);
    } catch (error) {
      await this.dropUnreadable(fullKey, text, error);
      return { kind: 'miss' };
    }
    if (entry.tags) {
      let valid: boolean;
      try {
        valid = await this.tagsValid(entry.tags);
      } catch {
        return { kind: 'error' };
      }
      if (!valid) return { kind: 'miss' };
    }
    // PTTL is Redis's clock: fresh while more than the grace period remains (-1: no expiry).
    const fresh = pttl < 0 || pttl > entry.graceMs;
    return {
      kind: fresh ? 'hit' : 'stale',
      value: entry.value,
      bytes: Buffer.byteLength(text),
      freshMs: pttl < 0 ? Number.POSITIVE_INFINITY : pttl - entry.graceMs,
      ttlMs: entry.ttlMs,
      tags: entry.tags ? Object.keys(entry.tags) : [],
    };
  }

  private async readRaw(fullKey: string): Promise<[string, number] | null> {
    const raw = await this.core.l2.call(this.name, 'get', (redis) => READ_ENTRY.run(redis, [fullKey], []));
    if (!Array.isArray(raw)) return null;
    return [String(raw[0]), Number(raw[1])];
  }

  private async dropUnreadable(fullKey: string, text: string, error: unknown): Promise<void> {
    this.core.metrics.errors.inc({ cache: this.name, operation: 'decode' });
    this.core.logger.warn(
      { cache: this.name, operation: 'decode', error: error instanceof Error ? error.message : 'unknown' },
      'unreadable cache entry dropped; loading fresh',
    );
    await this.core.l2
      .call(this.name, 'delete', (redis) => DELETE_IF_EQUALS.run(redis, [fullKey], [text]))
      .catch(() => undefined);
  }

  private async tagsValid(tokens: Record<string, string>): Promise<boolean> {
    const entries = Object.entries(tokens);
    const current = await this.core.l2.call(this.name, 'tag_check', (redis) =>
      Promise.all(entries.map(([tag]) => redis.get(this.core.tagKeys.key(tag)))),
    );
    return entries.every(([, token], index) => current[index] === token);
  }

  private async tagTokens(tags: string[], lifetimeMs: number): Promise<Record<string, string>> {
    // The tag key must outlive every entry that records its token (a minute of margin).
    const keepMs = lifetimeMs + 60_000;
    const values = await this.core.l2.call(this.name, 'tag_token', (redis) =>
      Promise.all(
        tags.map((tag) =>
          TAG_TOKEN.run(redis, [this.core.tagKeys.key(tag)], [randomBytes(9).toString('base64url'), keepMs]),
        ),
      ),
    );
    return Object.fromEntries(tags.map((tag, index) => [tag, String(values[index])]));
  }

  private async write(
    fullKey: string,
    value: unknown,
    plan: WritePlan,
    tokens: Record<string, string>,
  ): Promise<number> {
    const text = encodeEnvelope(value, {
      graceMs: plan.graceMs,
      schemaVersion: this.core.settings.schemaVersion,
      tags: tokens,
      ttlMs: plan.lifetimeMs - plan.graceMs,
    });
    try {
      await this.core.l2.call(this.name, 'set', (redis) => redis.set(fullKey, text, 'PX', plan.lifetimeMs));
      return Buffer.byteLength(text);
    } catch {
      return 0;
    }
  }

  /** write() for loaded values: an uncacheable value is logged and counted, and still returned to the caller. */
  private async writeQuietly(
    fullKey: string,
    value: unknown,
    plan: WritePlan,
    tokens: Record<string, string>,
  ): Promise<number> {
    try {
      return await this.write(fullKey, value, plan, tokens);
    } catch (error) {
      if (!(error instanceof CacheSerializationError)) throw error;
      this.core.metrics.errors.inc({ cache: this.name, operation: 'encode' });
      this.core.logger.warn(
        { cache: this.name, operation: 'encode', error: error.message },
        'loaded value cannot be cached; returned uncached',
      );
      return 0;
    }
  }

  /** A fresh L1 copy, counted as an l1 hit or miss; undefined when there is no usable L1. */
  private l1Fresh(fullKey: string): { value: unknown } | undefined {
    const { l1, bus, metrics } = this.core;
    if (!l1 || (bus && !bus.healthy)) return undefined;
    const entry = l1.get(fullKey);
    const hit = entry !== undefined && Date.now() < entry.freshUntil;
    metrics.lookups.inc({ cache: this.name, layer: 'l1', result: hit ? 'hit' : 'miss' });
    return hit ? entry : undefined;
  }

  private l1Put(
    fullKey: string,
    value: unknown,
    bytes: number,
    freshMs: number,
    tags: readonly string[],
    graceMs: number,
  ): void {
    const { l1, bus, l1TtlMs } = this.core;
    if (!l1 || (bus && !bus.healthy) || freshMs <= 0) return;
    const now = Date.now();
    const freshUntil = now + Math.min(l1TtlMs, freshMs);
    l1.set(fullKey, {
      namespace: this.name,
      value,
      bytes,
      freshUntil,
      staleUntil: freshUntil + graceMs,
      tags,
    });
  }

  /** Tells other processes to drop their L1 copies; a failure is counted and logged by L2, not thrown. */
  private async publish(message: Invalidation): Promise<void> {
    const { bus, l2 } = this.core;
    if (!bus) return;
    await l2
      .call(this.name, 'publish', (redis) => redis.publish(bus.channel, bus.encode(message)))
      .catch(() => undefined);
  }

  private plan(options: SetOptions): WritePlan {
    const { settings } = this.core;
    const ttlMs = entryTtlMs(options, {
      ttl: settings.defaultTtl,
      jitter: settings.jitter,
      presets: settings.presets,
    });
    const graceMs =
      options.graceSeconds === undefined
        ? settings.graceMs
        : Math.round(checkGrace(options.graceSeconds) * 1000);
    return { graceMs, lifetimeMs: ttlMs + graceMs };
  }

  private fullKey(key: string): string {
    if (typeof key !== 'string' || key.length === 0)
      throw new CacheArgumentError('cache key must be a non-empty string');
    return this.keys.key(key);
  }
}

interface WritePlan {
  graceMs: number;
  /** Redis TTL of the entry: fresh TTL plus grace. */
  lifetimeMs: number;
}
