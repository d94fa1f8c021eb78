import { describe, expect, it } from 'vitest';
import { pairedRatios, rotate, spread } from './stats.js';

describe('pairedRatios', () => {
  it('divides round by round, so a slow round for both does not move the ratio', () => {
    // Round 2 was slowed by other work for both contenders: the ratio stays 2.
    const stats = pairedRatios([200, 50, 180], [100, 25, 90]);
    expect(stats.perRound).toEqual([2, 2, 2]);
    expect(stats).toMatchObject({ median: 2, min: 2, max: 2 });
  });

  it('is not the ratio of the medians', () => {
    // Medians: 20 and 10, a ratio of 2; the rounds say 1, 3 and 4.
    const stats = pairedRatios([10, 30, 20], [10, 10, 5]);
    expect(stats.perRound).toEqual([1, 3, 4]);
    expect(stats.median).toBe(3);
    expect(stats.min).toBe(1);
    expect(stats.max).toBe(4);
  });

  it('takes the median of an even number of rounds as the mean of the middle two', () => {
    expect(pairedRatios([1, 2, 3, 4], [1, 1, 1, 1]).median).toBe(2.5);
  });

  it('skips rounds in which the peer did nothing, and uses only rounds both have', () => {
    expect(pairedRatios([10, 10, 10], [5, 0]).perRound).toEqual([2]);
  });

  it('is NaN without any paired round', () => {
    const stats = pairedRatios([], [1]);
    expect(stats.perRound).toEqual([]);
    expect(stats.median).toBeNaN();
    expect(stats.min).toBeNaN();
  });
});

describe('spread', () => {
  it('gives median, min and max', () => {
    expect(spread([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3 });
    expect(spread([]).median).toBeNaN();
  });
});

describe('rotate', () => {
  it('starts round r with item r, so no contender always goes first', () => {
    expect(rotate(['a', 'b', 'c'], 0)).toEqual(['a', 'b', 'c']);
    expect(rotate(['a', 'b', 'c'], 1)).toEqual(['b', 'c', 'a']);
    expect(rotate(['a', 'b', 'c'], 4)).toEqual(['b', 'c', 'a']);
  });
});
