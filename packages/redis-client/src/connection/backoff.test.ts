import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  it('doubles the ceiling per attempt (random = 1 shows the ceiling)', () => {
    const ceiling = (attempt: number) => backoffDelay(attempt, 100, 5000, () => 1);
    expect([1, 2, 3, 4, 5, 6, 7].map(ceiling)).toEqual([100, 200, 400, 800, 1600, 3200, 5000]);
  });

  it('never exceeds the cap, even for huge attempts', () => {
    expect(backoffDelay(10_000, 100, 5000, () => 1)).toBe(5000);
    expect(backoffDelay(Number.MAX_SAFE_INTEGER, 100, 5000, () => 0.999)).toBeLessThanOrEqual(5000);
  });

  it('applies full jitter between 0 and the ceiling', () => {
    expect(backoffDelay(3, 100, 5000, () => 0)).toBe(0);
    expect(backoffDelay(3, 100, 5000, () => 0.5)).toBe(200);
    for (let i = 0; i < 100; i++) {
      const delay = backoffDelay(4, 100, 5000);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(800);
      expect(Number.isInteger(delay)).toBe(true);
    }
  });

  it('treats attempts below 1 as the first one', () => {
    expect(backoffDelay(0, 100, 5000, () => 1)).toBe(100);
    expect(backoffDelay(-3, 100, 5000, () => 1)).toBe(100);
  });
});
