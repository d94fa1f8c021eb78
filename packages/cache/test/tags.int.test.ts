import { waitFor } from '@rnh/test-utils';
import { describe, expect, it } from 'vitest';
import { metricValue, useTestRedis } from './helpers.js';

const redis = useTestRedis();

describe('tag invalidation', () => {
  it('invalidateTag drops every entry with the tag, across namespaces, and nothing else', async () => {
    const { cache, registry } = redis.newCache();
    const orgs = cache.namespace('orgs');
    const refs = cache.namespace('referrals');
    await orgs.set('42', { name: 'Acme' }, { ttlSeconds: 60, tags: ['org:42'] });
    await refs.set('org:42:pending', [1, 2], { ttlSeconds: 60, tags: ['org:42', 'referrals'] });
    await refs.set('org:7:pending', [3], { ttlSeconds: 60, tags: ['org:7', 'referrals'] });
    await orgs.set('untagged', 1, { ttlSeconds: 60 });
    expect(await orgs.get('42')).toEqual({ name: 'Acme' });

    await orgs.invalidateTag('org:42');
    expect(await orgs.get('42')).toBeUndefined();
    expect(await refs.get('org:42:pending')).toBeUndefined();
    expect(await refs.get('org:7:pending')).toEqual([3]);
    expect(await orgs.get('untagged')).toBe(1);
    expect(await metricValue(registry, 'cache_invalidations_total', { cache: 'orgs', kind: 'tag' })).toBe(1);

    // Written again after the invalidation: valid under the new token.
    let loads = 0;
    expect(
      await orgs.getOrSet('42', () => ({ name: `Acme ${++loads}` }), { ttlSeconds: 60, tags: ['org:42'] }),
    ).toEqual({ name: 'Acme 1' });
    expect(
      await orgs.getOrSet('42', () => ({ name: `Acme ${++loads}` }), { ttlSeconds: 60, tags: ['org:42'] }),
    ).toEqual({ name: 'Acme 1' });
    await refs.invalidateTag('referrals');
    expect(await refs.get('org:7:pending')).toBeUndefined();
    expect(await orgs.get('42')).toEqual({ name: 'Acme 1' });
  });

  it('an invalidation during a load voids the value that load writes', async () => {
    const { cache } = redis.newCache();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let loaderStarted = false;
    const loading = cache.getOrSet(
      'k',
      async () => {
        loaderStarted = true;
        await gate;
        return 'read before the update';
      },
      { ttlSeconds: 60, tags: ['t'] },
    );
    // The load is under way (it has read the tag's version) before the invalidation lands.
    await waitFor(() => loaderStarted, { timeoutMs: 10_000, what: 'the loader to start' });
    await cache.invalidateTag('t');
    release();
    expect(await loading).toBe('read before the update');
    expect(await cache.get('k')).toBeUndefined();
    expect(await cache.getOrSet('k', () => 'after the update', { ttlSeconds: 60, tags: ['t'] })).toBe(
      'after the update',
    );
  });

  it('a tag key outlives the entries that use it', async () => {
    const { cache, root } = redis.newCache();
    await cache.set('k', 1, { ttlSeconds: 120, tags: ['long'] });
    expect(await redis.admin.pttl(`${root}__tags:long`)).toBeGreaterThan(120_000);
  });
});
