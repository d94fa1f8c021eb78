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
  it('evicts least recently used entries by count and by bytes, and reports changes', () => {
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
    expect(l1.get('a')?.value).toBe(10); // a is now most recent
    l1.set('d', entry(10));
    expect(l1.get('b')).toBeUndefined();
    expect(l1.size).toBe(3);
    l1.set('e', entry(90)); // 120 bytes: evicts c and a (d + e = 100 fits)
    expect(l1.get('e')).toBeDefined();
    expect(l1.get('d')).toBeDefined();
    expect(l1.size).toBe(2);
    l1.set('huge', entry(101));
    expect(l1.get('huge')).toBeUndefined();
    expect(events.filter((e) => e.startsWith('evict')).length).toBe(3);
    expect(events).toContain('n:1:90');
    now = 2000;
    expect(l1.get('e')).toBeUndefined();
    expect(l1.size).toBe(1);
  });
});
