import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from './latency.js';

describe('LatencyHistogram', () => {
  it('gives percentiles within 1 % above the exact value', () => {
    const histogram = new LatencyHistogram();
    // 1..1000 ms, once each: the exact p50 is 500 ms, p99 990 ms.
    for (let ms = 1; ms <= 1000; ms++) histogram.record(ms);
    expect(histogram.count).toBe(1000);
    const p50 = histogram.percentile(0.5);
    const p99 = histogram.percentile(0.99);
    expect(p50).toBeGreaterThanOrEqual(500);
    expect(p50).toBeLessThanOrEqual(500 * 1.01);
    expect(p99).toBeGreaterThanOrEqual(990);
    expect(p99).toBeLessThanOrEqual(990 * 1.01);
  });

  it('sees a slow tail that the median hides', () => {
    const histogram = new LatencyHistogram();
    for (let i = 0; i < 980; i++) histogram.record(0.2);
    for (let i = 0; i < 20; i++) histogram.record(50);
    expect(histogram.percentile(0.5)).toBeLessThan(0.21);
    expect(histogram.percentile(0.99)).toBeGreaterThanOrEqual(50);
  });

  it('keeps sub-microsecond and very long durations without losing them', () => {
    const histogram = new LatencyHistogram();
    histogram.record(0.0001);
    histogram.record(1_000_000);
    expect(histogram.percentile(0)).toBeLessThanOrEqual(0.001);
    expect(histogram.percentile(1)).toBeGreaterThan(60_000);
  });

  it('merges rounds into one distribution', () => {
    const first = new LatencyHistogram();
    const second = new LatencyHistogram();
    for (let i = 0; i < 99; i++) first.record(1);
    second.record(100);
    first.merge(second);
    expect(first.count).toBe(100);
    expect(first.percentile(1)).toBeGreaterThanOrEqual(100);
    expect(first.percentile(0.99)).toBeLessThan(1.02);
  });

  it('is NaN when nothing was recorded', () => {
    expect(new LatencyHistogram().percentile(0.99)).toBeNaN();
  });
});
