/**
 * Remembers what `derive` answered for recently used keys, in two generations of at most
 * `size` entries: a key is looked up in the current one, then in the previous one (and
 * moved to the current); when the current one is full it becomes the previous one and the
 * oldest generation is dropped whole. So a hot key is derived once, and with many keys a
 * miss costs two lookups and one insertion, with no per-entry eviction work.
 */
export class RecentMemo<V> {
  private current = new Map<string, V>();
  private previous = new Map<string, V>();

  constructor(
    private readonly size: number,
    private readonly derive: (key: string) => V,
  ) {}

  get(key: string): V {
    let value = this.current.get(key);
    if (value !== undefined) return value;
    value = this.previous.get(key);
    if (value === undefined) value = this.derive(key);
    if (this.current.size >= this.size) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(key, value);
    return value;
  }
}
