import { describe, expect, it } from 'vitest';
import { keySlot } from './key-slot.js';

describe('keySlot', () => {
  it('gives the slot Redis gives (CLUSTER KEYSLOT)', () => {
    expect(keySlot('123456789')).toBe(12739);
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('a{u1}')).toBe(4574);
    expect(keySlot('d{u4}')).toBe(379);
  });

  it('hashes only a non-empty hash tag, so names that share one share a slot', () => {
    expect(keySlot('rnh:feed:{ada}')).toBe(keySlot('ada'));
    expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'));
    // An empty tag `{}` does not count: the whole name is hashed.
    expect(keySlot('foo{}{bar}')).not.toBe(keySlot('bar'));
    expect(keySlot('foo{{bar}}zap')).toBe(keySlot('{bar'));
  });
});
