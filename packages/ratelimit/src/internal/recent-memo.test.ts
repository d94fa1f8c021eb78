import { describe, expect, it } from 'vitest';
import { RecentMemo } from './recent-memo.js';

function counting(size: number) {
  const derived: string[] = [];
  const memo = new RecentMemo(size, (key) => {
    derived.push(key);
    return `value of ${key}`;
  });
  return { memo, derived };
}

describe('RecentMemo', () => {
  it('derives a key once while it is in use, and answers what was derived', () => {
    const { memo, derived } = counting(4);
    expect(memo.get('a')).toBe('value of a');
    expect(memo.get('a')).toBe('value of a');
    memo.get('b');
    memo.get('a');
    expect(derived).toEqual(['a', 'b']);
  });

  it('keeps a key through one more generation, and one still asked for stays', () => {
    const { memo, derived } = counting(2);
    memo.get('a');
    memo.get('b'); // generation 1 full: a, b
    memo.get('c'); // generation 2: c (a, b in the previous one)
    memo.get('a'); // from the previous generation, moved to the current one
    expect(derived).toEqual(['a', 'b', 'c']);
    memo.get('d'); // generation 3: d (c, a before it); b is forgotten
    memo.get('a');
    memo.get('b');
    expect(derived).toEqual(['a', 'b', 'c', 'd', 'b']);
  });

  it('holds at most two generations', () => {
    const { memo, derived } = counting(3);
    for (let i = 0; i < 100; i += 1) memo.get(`k${i}`);
    memo.get('k0');
    expect(derived.filter((key) => key === 'k0')).toHaveLength(2);
    memo.get('k99');
    expect(derived.filter((key) => key === 'k99')).toHaveLength(1);
  });
});
