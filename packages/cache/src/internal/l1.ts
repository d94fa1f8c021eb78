/** One in-process copy. Values are shared by reference: callers must treat cached values as immutable. */
export interface L1Entry {
  namespace: string;
  value: unknown;
  /** Size of the encoded entry, the unit of the byte bound. */
  bytes: number;
  /** Local clock (ms): fresh until, then servable as stale until `staleUntil`. */
  freshUntil: number;
  staleUntil: number;
  tags: readonly string[];
}

export interface L1Hooks {
  /** Entries/bytes added (positive) or removed (negative) in a namespace. */
  changed(namespace: string, entries: number, bytes: number): void;
  evicted(namespace: string): void;
}

/**
 * A bounded LRU (Map insertion order is recency: a hit re-inserts) by entry count
 * and by bytes. Entries past `staleUntil` are dropped when seen.
 */
export class L1 {
  private readonly map = new Map<string, L1Entry>();
  private bytes = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
    private readonly hooks: L1Hooks,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): L1Entry | undefined {
    const entry = this.map.get(key);
    if (!entry) return undefined;
    if (this.now() >= entry.staleUntil) {
      this.delete(key);
      return undefined;
    }
    this.map.delete(key);
    this.map.set(key, entry);
    return entry;
  }

  set(key: string, entry: L1Entry): void {
    this.delete(key);
    if (entry.bytes > this.maxBytes || this.maxEntries <= 0) return;
    this.map.set(key, entry);
    this.bytes += entry.bytes;
    this.hooks.changed(entry.namespace, 1, entry.bytes);
    while (this.map.size > this.maxEntries || this.bytes > this.maxBytes) {
      const oldest = this.map.keys().next();
      if (oldest.done) break;
      const victim = this.map.get(oldest.value)!;
      this.delete(oldest.value);
      this.hooks.evicted(victim.namespace);
    }
  }

  delete(key: string): boolean {
    const entry = this.map.get(key);
    if (!entry) return false;
    this.map.delete(key);
    this.bytes -= entry.bytes;
    this.hooks.changed(entry.namespace, -1, -entry.bytes);
    return true;
  }

  /** Drops every entry the predicate selects (tag and namespace invalidation; bounded by maxEntries). */
  deleteWhere(select: (key: string, entry: L1Entry) => boolean): void {
    for (const [key, entry] of [...this.map]) if (select(key, entry)) this.delete(key);
  }

  clear(): void {
    this.deleteWhere(() => true);
  }

  get size(): number {
    return this.map.size;
  }
}
