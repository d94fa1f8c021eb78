import { describe, expect, it } from 'vitest';
import { L1, type L1Entry } from './l1.js';

const entry = (bytes: number, extra: Partial<L1Entry> = {}): L1Entry => ({
  namespace: 'n',
  value: bytes,
  bytes,
  freshUntil: 1000,
  staleUntil: 2000,
  tags: [],
  ...extra,
});

describe('L1', () => {
  it('evicts with SIEVE by count and by bytes (a hit spares an entry once), and reports changes', () => {
    const events: string[] = [];
    let now = 0;
    const l1 = new L1(
      3,
      100,
      {
        changed: (ns, entries, bytes) => events.push(`${ns}:${entries}:${bytes}`),
        evicted: (ns) => events.push(`evict:${ns}`),
      },
      () => now,
    );
    l1.set('a', entry(10));
    l1.set('b', entry(10));
    l1.set('c', entry(10));
    expect(l1.get('a')?.value).toBe(10); // a is marked visited
    l1.set('d', entry(10)); // the hand passes a (clearing its mark) and evicts b
    expect(l1.get('b')).toBeUndefined();
    expect(l1.size).toBe(3);
    l1.set('e', entry(90)); // 120 bytes, 4 entries: the hand goes on and evicts c, then d
    expect(l1.get('e')).toBeDefined();
    expect(l1.get('a')).toBeDefined();
    expect(l1.get('c')).toBeUndefined();
    expect(l1.get('d')).toBeUndefined();
    expect(l1.size).toBe(2);
    l1.set('huge', entry(101));
    expect(l1.get('huge')).toBeUndefined();
    expect(events.filter((e) => e.startsWith('evict')).length).toBe(3);
    expect(events).toContain('n:1:90');
    now = 2000;
    expect(l1.get('e')).toBeUndefined();
    expect(l1.size).toBe(1);
  });

  it('finds a victim when every entry was visited, and keeps hot entries over cold ones', () => {
    const evicted: string[] = [];
    const l1 = new L1(2, 1000, { changed: () => undefined, evicted: () => evicted.push('x') }, () => 0);
    l1.set('a', entry(1));
    l1.set('b', entry(1));
    l1.get('a');
    l1.get('b');
    l1.set('c', entry(1)); // every bit set: one pass clears them, the next evicts a (c is not in yet)
    expect(l1.size).toBe(2);
    expect(l1.get('a')).toBeUndefined();
    expect(evicted).toHaveLength(1);
    // A hot key read between insertions survives a stream of cold ones.
    for (let i = 0; i < 50; i += 1) {
      expect(l1.get('c')).toBeDefined();
      l1.set(`cold${i}`, entry(1));
    }
    expect(l1.get('c')).toBeDefined();
    expect(l1.size).toBe(2);
  });
});
