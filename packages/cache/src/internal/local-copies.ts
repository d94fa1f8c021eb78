import type { LookupResult } from '../types.js';
import type { Core } from './core.js';
import type { L1Entry } from './l1.js';

type Labels = { cache: string; layer: 'l1'; result: LookupResult };

/** What an L1 copy is made from: an entry read from L2 (`text`) or just written (`bytes`). */
export interface LocalSource {
  value: unknown;
  /** How long it stays fresh (its L2 freshness). */
  freshMs: number;
  tags: readonly string[];
  /** Its encoded size; or `text`, to measure. */
  bytes?: number;
  text?: string;
}

/**
 * The in-process L1 as one namespace uses it. Copies are read and kept only while
 * the invalidation bus (when there is one) is subscribed: a bus that may have
 * missed messages cannot be trusted to have dropped stale copies.
 */
export class LocalCopies {
  private readonly labels: Record<'hit' | 'miss' | 'stale', Labels>;

  constructor(
    private readonly core: Core,
    private readonly cache: string,
  ) {
    const labels = (result: LookupResult): Labels => ({ cache, layer: 'l1', result });
    this.labels = { hit: labels('hit'), miss: labels('miss'), stale: labels('stale') };
  }

  private get usable(): boolean {
    const { l1, bus } = this.core;
    return l1 !== undefined && (!bus || bus.healthy);
  }

  /** A fresh copy, counted as an l1 hit or miss; undefined when there is none or no usable L1. */
  fresh(fullKey: string): L1Entry | undefined {
    const { l1, bus } = this.core;
    if (l1 === undefined || (bus !== undefined && !bus.healthy)) return undefined;
    const now = Date.now();
    const entry = l1.lookup(fullKey, now);
    if (entry !== undefined && now < entry.freshUntil) {
      this.core.metrics.lookups.inc(this.labels.hit);
      return entry;
    }
    this.core.metrics.lookups.inc(this.labels.miss);
    return undefined;
  }

  /**
   * Any copy still within its grace period, counted as an l1 `stale`. Only for when
   * Redis is failing: then a possibly outdated copy beats calling the loader.
   */
  staleFallback(fullKey: string): { value: unknown } | undefined {
    const entry = this.core.l1?.get(fullKey);
    if (entry) this.core.metrics.lookups.inc(this.labels.stale);
    return entry;
  }

  /** Keeps a copy for min(L1 TTL, the entry's remaining freshness), then `graceMs` more as a fallback. */
  keep(fullKey: string, entry: LocalSource, graceMs: number): void {
    if (!this.usable || entry.freshMs <= 0) return;
    const freshUntil = Date.now() + Math.min(this.core.l1TtlMs, entry.freshMs);
    this.core.l1!.set(fullKey, {
      namespace: this.cache,
      value: entry.value,
      bytes: entry.bytes ?? Buffer.byteLength(entry.text ?? ''),
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
