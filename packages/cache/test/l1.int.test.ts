import { masterClients, waitFor } from '@rnh/test-utils';
import { describe, expect, it } from 'vitest';
import { metricValue, sleep, useTestRedis } from './helpers.js';

const redis = useTestRedis();

/** Two cache instances on one prefix, each with its own connections: two "processes". */
async function twoProcesses(l1 = { maxEntries: 100, ttlSeconds: 60 }) {
  const a = redis.newCache({ l1 }, { bus: true });
  const b = redis.newCache({ l1 }, { prefix: a.prefix, bus: true });
  await a.cache.start();
  await b.cache.start();
  return { a, b };
}

describe('L1 in front of Redis, with the invalidation bus', () => {
  it('serves repeated reads from L1 and counts l1 hits', async () => {
    const { a } = await twoProcesses();
    let loads = 0;
    for (let i = 0; i < 5; i += 1) await a.cache.getOrSet('k', () => ++loads, { ttlSeconds: 60 });
    expect(loads).toBe(1);
    expect(await metricValue(a.registry, 'cache_lookups_total', { layer: 'l1', result: 'hit' })).toBe(4);
    expect(await metricValue(a.registry, 'cache_lookups_total', { layer: 'l2', result: 'hit' })).toBe(0);
    expect(await metricValue(a.registry, 'cache_l1_entries', { cache: 'default' })).toBe(1);
    expect(await metricValue(a.registry, 'cache_l1_bytes', { cache: 'default' })).toBeGreaterThan(0);
  });

  it('a write or delete in one instance reaches the other L1 (timing: see processes.int.test.ts)', async () => {
    const { a, b } = await twoProcesses();
    await a.cache.set('k', 'v1', { ttlSeconds: 60 });
    expect(await b.cache.get('k')).toBe('v1'); // now in B's L1
    expect(await b.cache.get('k')).toBe('v1');
    expect(await metricValue(b.registry, 'cache_lookups_total', { layer: 'l1', result: 'hit' })).toBe(1);

    await a.cache.set('k', 'v2', { ttlSeconds: 60 });
    await waitFor(async () => (await b.cache.get('k')) === 'v2', { timeoutMs: 10_000, what: 'v2 in B' });

    await a.cache.delete('k');
    await waitFor(async () => (await b.cache.get('k')) === undefined, {
      timeoutMs: 10_000,
      what: 'delete in B',
    });
  });

  it('tag invalidation and namespace clear reach the other L1', async () => {
    const { a, b } = await twoProcesses();
    const aOrgs = a.cache.namespace('orgs');
    const bOrgs = b.cache.namespace('orgs');
    await aOrgs.set('42', 'Acme', { ttlSeconds: 60, tags: ['org:42'] });
    await aOrgs.set('7', 'Other', { ttlSeconds: 60 });
    expect(await bOrgs.get('42')).toBe('Acme');
    expect(await bOrgs.get('7')).toBe('Other');
    await aOrgs.invalidateTag('org:42');
    await waitFor(async () => (await bOrgs.get('42')) === undefined, { timeoutMs: 10_000, what: 'tag in B' });
    expect(await bOrgs.get('7')).toBe('Other');
    await aOrgs.clear();
    await waitFor(async () => (await bOrgs.get('7')) === undefined, {
      timeoutMs: 10_000,
      what: 'clear in B',
    });
  });

  it('L1 is bounded by entries: evictions are counted', async () => {
    const { a } = await twoProcesses({ maxEntries: 3, ttlSeconds: 60 });
    for (let i = 0; i < 5; i += 1) await a.cache.set(`k${i}`, i, { ttlSeconds: 60 });
    expect(await metricValue(a.registry, 'cache_l1_entries', { cache: 'default' })).toBe(3);
    expect(await metricValue(a.registry, 'cache_l1_evictions_total', { cache: 'default' })).toBe(2);
    // Evicted entries are still in Redis.
    expect(await a.cache.get('k0')).toBe(0);
  });

  it('when the bus connection drops, L1 is emptied and bypassed until it is back', async () => {
    const { a, b } = await twoProcesses();
    await a.cache.set('k', 'v1', { ttlSeconds: 60 });
    expect(await b.cache.get('k')).toBe('v1');
    expect(await metricValue(b.registry, 'cache_l1_entries', { cache: 'default' })).toBe(1);
    // Wherever the subscriber is connected (on Cluster, one of the masters).
    await Promise.all(masterClients(redis).map((node) => node.client('KILL', 'TYPE', 'pubsub')));
    await waitFor(
      async () => (await metricValue(b.registry, 'cache_l1_entries', { cache: 'default' })) === 0,
      {
        timeoutMs: 5000,
        what: 'L1 emptied',
      },
    );
    await sleep(300); // reconnected and resubscribed
    await a.cache.set('k', 'v2', { ttlSeconds: 60 });
    await waitFor(async () => (await b.cache.get('k')) === 'v2', { timeoutMs: 5000, what: 'v2 in B' });
    await a.cache.set('k', 'v3', { ttlSeconds: 60 });
    await waitFor(async () => (await b.cache.get('k')) === 'v3', { timeoutMs: 5000, what: 'v3 in B' });
  });

  it('without start() the L1 is bypassed (a bus that is not subscribed cannot be trusted)', async () => {
    const a = redis.newCache({ l1: {} }, { bus: true });
    await a.cache.set('k', 1, { ttlSeconds: 60 });
    expect(await a.cache.get('k')).toBe(1);
    expect(await metricValue(a.registry, 'cache_lookups_total', { layer: 'l1' })).toBe(0);
  });
});
