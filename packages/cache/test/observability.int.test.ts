import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createCacheMetrics } from '../src/index.js';
import { metricValue, recordSpans, useRedisServer } from './helpers.js';

const redis = useRedisServer();
const spans = recordSpans();

describe('metrics and spans', () => {
  it('createCacheMetrics is safe to call twice on one registry', () => {
    const registry = new Registry();
    const a = createCacheMetrics(registry);
    const b = createCacheMetrics(registry);
    expect(b.lookups).toBe(a.lookups);
    expect(
      registry
        .getMetricsAsArray()
        .map((m) => m.name)
        .sort(),
    ).toEqual([
      'cache_coalesced_total',
      'cache_errors_total',
      'cache_invalidations_total',
      'cache_l1_bytes',
      'cache_l1_entries',
      'cache_l1_evictions_total',
      'cache_loader_duration_seconds',
      'cache_lock_timeouts_total',
      'cache_lock_waits_total',
      'cache_lookups_total',
    ]);
  });

  it('metrics move as the cache is used; labels carry the namespace, never a key', async () => {
    const { cache, registry } = redis.newCache();
    const users = cache.namespace('users');
    spans.reset();
    await users.getOrSet('secret-key-1', () => 'secret-value', { ttlSeconds: 60 });
    await users.getOrSet('secret-key-1', () => 'secret-value', { ttlSeconds: 60 });
    await users.delete('secret-key-1');
    expect(
      await metricValue(registry, 'cache_lookups_total', { cache: 'users', layer: 'l2', result: 'miss' }),
    ).toBe(1);
    expect(
      await metricValue(registry, 'cache_lookups_total', { cache: 'users', layer: 'l2', result: 'hit' }),
    ).toBe(1);
    expect(await metricValue(registry, 'cache_loader_duration_seconds', { cache: 'users' })).toBe(1);
    expect(await metricValue(registry, 'cache_invalidations_total', { cache: 'users', kind: 'key' })).toBe(1);
    const text = await registry.metrics();
    expect(text).not.toContain('secret');

    const finished = spans.getFinishedSpans().filter((span) => span.name === 'cache.getOrSet');
    expect(finished.map((span) => span.attributes['rnh.cache.outcome'])).toEqual(['loaded', 'hit']);
    expect(finished[0]!.attributes['rnh.cache.name']).toBe('users');
    expect(JSON.stringify(finished.map((span) => span.attributes))).not.toContain('secret');
  });

  it('a loader error marks the span and reaches the caller unchanged', async () => {
    const { cache } = redis.newCache();
    spans.reset();
    const error = new Error('boom');
    await expect(
      cache.getOrSet(
        'k',
        () => {
          throw error;
        },
        { ttlSeconds: 60 },
      ),
    ).rejects.toBe(error);
    const [span] = spans.getFinishedSpans().filter((s) => s.name === 'cache.getOrSet');
    expect(span!.attributes['rnh.cache.outcome']).toBe('loader_error');
    expect(span!.status.code).toBe(2);
  });
});
