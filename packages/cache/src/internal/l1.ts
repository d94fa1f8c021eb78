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

/** An entry as the L1 holds it: with the SIEVE `visited` bit. */
interface Slot extends L1Entry {
  visited: boolean;
}

export interface L1Hooks {
  /** Entries/bytes added (positive) or removed (negative) in a namespace. */
  changed(namespace: string, entries: number, bytes: number): void;
  evicted(namespace: string): void;
}

/**
 * An in-process cache bounded by entry count and by bytes, evicting with SIEVE
 * (NSDI '24): a hit only sets the entry's `visited` bit (no reordering, so a hit
 * writes nothing but one boolean), and eviction moves a hand from the oldest
 * entry towards the newest, clearing `visited` bits and evicting the first entry
 * that was not visited since the hand last passed it. Map insertion order is the
 * FIFO queue, and the hand is a live Map iterator (it survives deletions and sees
 * insertions), restarted from the oldest entry when it runs off the end. Entries
 * past `staleUntil` are dropped when seen.
 */
export class L1 {
  private readonly map = new Map<string, Slot>();
  private hand: Iterator<[string, Slot]> | undefined;
  private bytes = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
    private readonly hooks: L1Hooks,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): L1Entry | undefined {
    return this.lookup(key, this.now());
  }

  /** get() at a time the caller already has. */
  lookup(key: string, now: number): L1Entry | undefined {
    const entry = this.map.get(key);
    if (entry === undefined) return undefined;
    if (now >= entry.staleUntil) {
      this.delete(key);
      return undefined;
    }
    entry.visited = true;
    return entry;
  }

  set(key: string, entry: L1Entry): void {
    this.delete(key);
    if (entry.bytes > this.maxBytes || this.maxEntries <= 0) return;
    // Room first (the new entry is no candidate), as SIEVE inserts after evicting.
    while (
      this.map.size > 0 &&
      (this.map.size >= this.maxEntries || this.bytes + entry.bytes > this.maxBytes)
    )
      this.evictOne();
    this.map.set(key, {
      namespace: entry.namespace,
      value: entry.value,
      bytes: entry.bytes,
      freshUntil: entry.freshUntil,
      staleUntil: entry.staleUntil,
      tags: entry.tags,
      visited: false,
    });
    this.bytes += entry.bytes;
    this.hooks.changed(entry.namespace, 1, entry.bytes);
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
    this.hand = undefined;
  }

  get size(): number {
    return this.map.size;
  }

  /** SIEVE: the first entry from the hand on that was not visited since the hand last passed it. */
  private evictOne(): void {
    // Terminates: one full pass clears every visited bit, so the next finds a victim.
    while (this.map.size > 0) {
      this.hand ??= this.map.entries();
      const next = this.hand.next();
      if (next.done) {
        this.hand = undefined;
        continue;
      }
      const [key, entry] = next.value;
      if (entry.visited) {
        entry.visited = false;
        continue;
      }
      this.delete(key);
      this.hooks.evicted(entry.namespace);
      return;
    }
  }
}
