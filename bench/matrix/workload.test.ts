import { describe, expect, it } from 'vitest';
import { countName, sizeName, uniformOrder, valueOfSize, zipfOrder } from './workload.js';

describe('valueOfSize', () => {
  it.each([100, 4096, 65_536])('makes a value whose JSON is exactly %i bytes', (bytes) => {
    const value = valueOfSize(bytes);
    expect(Buffer.byteLength(JSON.stringify(value))).toBe(bytes);
  });

  it('is made of records, not one long string, once there is room for them', () => {
    const value = valueOfSize(65_536);
    expect(value.items.length).toBeGreaterThan(500);
    expect(value.note.length).toBeLessThan(200);
  });

  it('refuses sizes below what the shell of the value takes', () => {
    expect(() => valueOfSize(10)).toThrow(/too small/);
  });
});

describe('uniformOrder', () => {
  it('is the same for the same seed, and spreads over every key', () => {
    const order = uniformOrder(100, 100_000, 7);
    expect(uniformOrder(100, 100_000, 7)).toEqual(order);
    const counts = new Array<number>(100).fill(0);
    for (const index of order) counts[index]!++;
    expect(Math.min(...counts)).toBeGreaterThan(800);
    expect(Math.max(...counts)).toBeLessThan(1200);
  });
});

describe('zipfOrder', () => {
  it('draws key k with a probability proportional to 1 / (k + 1)^s', () => {
    const n = 1000;
    const s = 1.1;
    const draws = 200_000;
    const order = zipfOrder(n, s, draws, 3);
    const counts = new Array<number>(n).fill(0);
    for (const index of order) counts[index]!++;
    let harmonic = 0;
    for (let rank = 1; rank <= n; rank++) harmonic += 1 / rank ** s;
    for (const k of [0, 1, 9]) {
      const expected = draws / (k + 1) ** s / harmonic;
      expect(counts[k]).toBeGreaterThan(expected * 0.95);
      expect(counts[k]).toBeLessThan(expected * 1.05);
    }
    // The hottest key alone gets far more than a uniform share (1/1000).
    expect(counts[0]! / draws).toBeGreaterThan(0.1);
  });

  it('stays within 0..n-1 and is the same for the same seed', () => {
    const order = zipfOrder(50, 1.1, 10_000, 9);
    expect(Math.min(...order)).toBe(0);
    expect(Math.max(...order)).toBeLessThanOrEqual(49);
    expect(zipfOrder(50, 1.1, 10_000, 9)).toEqual(order);
  });
});

describe('names in cell ids', () => {
  it('reads as the brief of a cell does', () => {
    expect([100, 4096, 65_536].map(sizeName)).toEqual(['100b', '4kb', '64kb']);
    expect([1000, 100_000, 1_000_000, 50].map(countName)).toEqual(['1k', '100k', '1m', '50']);
  });
});
