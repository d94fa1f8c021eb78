import { trace } from '@opentelemetry/api';
import { Registry } from 'prom-client';
import { waitFor } from '@rnh/test-utils';
import { describe, expect, it } from 'vitest';
import { createCacheMetrics } from '../src/index.js';
import { metricValue, recordSpans, useTestRedis } from './helpers.js';

const redis = useTestRedis();
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
      'cache_fallback_reads_total',
      'cache_invalidations_pending',
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

  it('the getOrSet span is the active one while its loader runs (its spans are children), refreshes included', async () => {
    const { cache } = redis.newCache({ graceSeconds: 60 });
    spans.reset();
    const loader = (value: string) => () => {
      const active = trace.getActiveSpan();
      trace.getTracer('test').startSpan('db.query').end();
      return { value, activeSpanId: active?.spanContext().spanId };
    };
    // 1 s: the second call is a hit even on a busy machine.
    const first = await cache.getOrSet('k', loader('v1'), { ttlSeconds: 1 });
    const hit = await cache.getOrSet('k', loader('unused'), { ttlSeconds: 1 });
    expect(hit).toEqual(first);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    // Stale: served at once, refreshed in the background under the call's span.
    expect(await cache.getOrSet('k', loader('v2'), { ttlSeconds: 60 })).toEqual(first);
    await waitFor(() => spans.getFinishedSpans().filter((span) => span.name === 'db.query').length === 2, {
      timeoutMs: 5000,
      what: 'the refresh loader ran',
    });
    const finished = spans.getFinishedSpans();
    const calls = finished.filter((span) => span.name === 'cache.getOrSet');
    const queries = finished.filter((span) => span.name === 'db.query');
    expect(calls.map((span) => span.attributes['rnh.cache.outcome'])).toEqual(['loaded', 'hit', 'stale']);
    expect(first.activeSpanId).toBe(calls[0]!.spanContext().spanId);
    expect(queries[0]!.parentSpanContext?.spanId).toBe(calls[0]!.spanContext().spanId);
    expect(queries[1]!.parentSpanContext?.spanId).toBe(calls[2]!.spanContext().spanId);
    expect((await cache.get<{ value: string }>('k'))?.value).toBe('v2');
  });

  it('an L1 hit has no span; it is counted as an l1 hit', async () => {
    const { cache, registry } = redis.newCache({ l1: {} });
    spans.reset();
    for (let i = 0; i < 3; i += 1) expect(await cache.getOrSet('k', () => 'v', { ttlSeconds: 60 })).toBe('v');
    const calls = spans.getFinishedSpans().filter((span) => span.name === 'cache.getOrSet');
    expect(calls.map((span) => span.attributes['rnh.cache.outcome'])).toEqual(['loaded']);
    expect(await metricValue(registry, 'cache_lookups_total', { layer: 'l1', result: 'hit' })).toBe(2);
  });
});
