import type { Core } from './core.js';

/**
 * The in-process L1 as one namespace uses it. Copies are read and kept only while
 * the invalidation bus (when there is one) is subscribed: a bus that may have
 * missed messages cannot be trusted to have dropped stale copies.
 */
export class LocalCopies {
  constructor(
    private readonly core: Core,
    private readonly cache: string,
  ) {}

  private get usable(): boolean {
    const { l1, bus } = this.core;
    return l1 !== undefined && (!bus || bus.healthy);
  }

  /** A fresh copy, counted as an l1 hit or miss; undefined when there is none or no usable L1. */
  fresh(fullKey: string): { value: unknown } | undefined {
    if (!this.usable) return undefined;
    const entry = this.core.l1!.get(fullKey);
    const hit = entry !== undefined && Date.now() < entry.freshUntil;
    this.core.metrics.lookups.inc({ cache: this.cache, layer: 'l1', result: hit ? 'hit' : 'miss' });
    return hit ? entry : undefined;
  }

  /**
   * Any copy still within its grace period, counted as an l1 `stale`. Only for when
   * Redis is failing: then a possibly outdated copy beats calling the loader.
   */
  staleFallback(fullKey: string): { value: unknown } | undefined {
    const entry = this.core.l1?.get(fullKey);
    if (entry) this.core.metrics.lookups.inc({ cache: this.cache, layer: 'l1', result: 'stale' });
    return entry;
  }

  /** Keeps a copy for min(L1 TTL, the entry's remaining freshness), then `graceMs` more as a fallback. */
  keep(
    fullKey: string,
    entry: { value: unknown; bytes: number; freshMs: number; tags: readonly string[] },
    graceMs: number,
  ): void {
    if (!this.usable || entry.freshMs <= 0) return;
    const freshUntil = Date.now() + Math.min(this.core.l1TtlMs, entry.freshMs);
    this.core.l1!.set(fullKey, {
      namespace: this.cache,
      value: entry.value,
      bytes: entry.bytes,
      freshUntil,
      staleUntil: freshUntil + graceMs,
      tags: entry.tags,
    });
  }

  drop(fullKey: string): void {
    this.core.l1?.delete(fullKey);
  }

  dropPrefix(prefix: string): void {
    this.core.l1?.deleteWhere((key) => key.startsWith(prefix));
  }
}
