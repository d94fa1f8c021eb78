// How entries are read: batched GETs (one MGET per event-loop turn; on Cluster one GET per key,
// as an MGET must stay in one slot) and freshness carried by the entry itself, so a read is a
// plain GET with no script and no PTTL.
import { keyspace } from '@rnh/redis-client';
import { commandCalls, resetCommandStats, topologyClient, uniquePrefix, waitFor } from '@rnh/test-utils';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { Cache } from '../src/index.js';
import { memoryLogger, metricValue, sleep, TEST_OPERATION_TIMEOUT_MS, useTestRedis } from './helpers.js';

const redis = useTestRedis();

/** Calls of the commands that read cache entries or tag tokens since the last resetCommandStats (every master's). */
async function readCalls() {
  const calls = await commandCalls(redis);
  return { get: calls.get('get') ?? 0, mget: calls.get('mget') ?? 0, evalsha: calls.get('evalsha') ?? 0 };
}

/**
 * The readCalls of batches holding these numbers of distinct keys: a batch of one key is a GET,
 * a larger one an MGET; on Cluster every key is its own GET.
 */
function batchedReads(...batches: number[]) {
  if (redis.topology === 'cluster')
    return { get: batches.reduce((sum, keys) => sum + keys, 0), mget: 0, evalsha: 0 };
  return {
    get: batches.filter((keys) => keys === 1).length,
    mget: batches.filter((keys) => keys > 1).length,
    evalsha: 0,
  };
}

describe('batched reads', () => {
  it('reads issued together (getOrSet, get, has, getWithState) go out as one MGET', async () => {
    const { cache } = redis.newCache();
    const users = cache.namespace('users');
    const orgs = cache.namespace('orgs');
    for (let i = 0; i < 8; i += 1) {
      await users.set(`u${i}`, { i }, { ttlSeconds: 60 });
      await orgs.set(`o${i}`, `org ${i}`, { ttlSeconds: 60 });
    }
    await resetCommandStats(redis);
    let loads = 0;
    const answers = await Promise.all([
      ...Array.from({ length: 8 }, (_, i) => users.getOrSet(`u${i}`, () => ++loads, { ttlSeconds: 60 })),
      ...Array.from({ length: 8 }, (_, i) => orgs.get(`o${i}`)),
      users.has('u0'), // the same key twice in one batch: read once
      orgs.getWithState('o1'),
      users.get('absent'),
    ]);
    expect(answers.slice(0, 8)).toEqual(Array.from({ length: 8 }, (_, i) => ({ i })));
    expect(answers.slice(8, 16)).toEqual(Array.from({ length: 8 }, (_, i) => `org ${i}`));
    expect(answers.slice(16)).toEqual([true, { value: 'org 1', stale: false }, undefined]);
    expect(loads).toBe(0);
    // 17 keys: u0 (asked for twice) to u7, o0 (o1 twice) to o7, and absent.
    expect(await readCalls()).toEqual(batchedReads(17));

    // A lone read is a plain GET.
    expect(await users.get('u3')).toEqual({ i: 3 });
    expect(await readCalls()).toEqual(batchedReads(17, 1));
  });

  it('the tag checks of a turn share one MGET too; an invalidated tag still voids its entries', async () => {
    const { cache } = redis.newCache();
    for (let i = 0; i < 10; i += 1)
      await cache.set(`k${i}`, i, { ttlSeconds: 60, tags: [`org:${i % 2}`, 'all'] });
    await resetCommandStats(redis);
    const loader = () => -1;
    const read = () =>
      Promise.all(Array.from({ length: 10 }, (_, i) => cache.getOrSet(`k${i}`, loader, { ttlSeconds: 60 })));
    expect(await read()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // One MGET for the ten entries, then one for their three tag tokens.
    expect(await readCalls()).toEqual(batchedReads(10, 3));

    await cache.invalidateTag('org:1');
    expect(await read()).toEqual([0, -1, 2, -1, 4, -1, 6, -1, 8, -1]);
  });

  it('a large burst is sent in parts of at most 32 keys, in order', async () => {
    const { cache } = redis.newCache();
    for (let i = 0; i < 40; i += 1) await cache.set(`k${i}`, `v${i}`, { ttlSeconds: 60 });
    await resetCommandStats(redis);
    const values = await Promise.all(Array.from({ length: 40 }, (_, i) => cache.get(`k${i}`)));
    expect(values).toEqual(Array.from({ length: 40 }, (_, i) => `v${i}`));
    expect(await readCalls()).toEqual(batchedReads(32, 8));
  });

  it("on a caller's own ioredis client with a keyPrefix, batched reads use the prefix like every other command", async () => {
    const prefix = uniquePrefix('own');
    const client = topologyClient(redis.target, { keyPrefix: prefix });
    redis.cleanup.push(() => client.quit().then(() => undefined));
    const cache = new Cache(
      {
        redis: client,
        keys: keyspace('', 'cache'),
        logger: memoryLogger().logger,
        registry: new Registry(),
      },
      { operationTimeoutMs: TEST_OPERATION_TIMEOUT_MS },
    );
    await Promise.all(Array.from({ length: 5 }, (_, i) => cache.set(`k${i}`, i, { ttlSeconds: 60 })));
    expect(await redis.admin.exists(`${prefix}cache:default:k3`)).toBe(1);
    expect(await Promise.all(Array.from({ length: 5 }, (_, i) => cache.get(`k${i}`)))).toEqual([
      0, 1, 2, 3, 4,
    ]);
    expect(await cache.get('k2')).toBe(2);
  });

  it('a read issued after a write in the same turn sees the write', async () => {
    const { cache, root } = redis.newCache();
    await cache.set('k', 'before', { ttlSeconds: 60 });
    // The write goes out auto-pipelined; the read waits behind it instead of overtaking it.
    const write = cache.delete('k');
    const read = cache.get('k');
    expect(await read).toBeUndefined();
    expect(await write).toBe(true);
    expect(await redis.admin.exists(`${root}default:k`)).toBe(0);
  });
});

describe('freshness carried by the entry', () => {
  it('a writer and a reader (two instances) agree on fresh, then stale, with plain GETs', async () => {
    const writer = redis.newCache({ graceSeconds: 60 });
    const reader = redis.newCache({ graceSeconds: 60 }, { prefix: writer.prefix });
    const before = Date.now();
    // 1 s: the reads below see it fresh even on a busy machine.
    await writer.cache.set('k', { n: 1 }, { ttlSeconds: 1 });
    const after = Date.now();
    const stored = JSON.parse((await redis.admin.get(`${writer.root}default:k`))!) as Record<string, unknown>;
    expect(stored).toMatchObject({ v: 1, g: 60_000, f: 1000, p: 1, d: { n: 1 } });
    expect(stored.e).toBeGreaterThanOrEqual(before + 1000);
    expect(stored.e).toBeLessThanOrEqual(after + 1000);

    await resetCommandStats(redis);
    expect(await reader.cache.getWithState('k')).toEqual({ value: { n: 1 }, stale: false });
    expect(await reader.cache.get('k')).toEqual({ n: 1 });
    expect(await readCalls()).toEqual({ get: 2, mget: 0, evalsha: 0 });

    await sleep(1100);
    expect(await reader.cache.getWithState('k')).toEqual({ value: { n: 1 }, stale: true });
    expect(await reader.cache.get('k')).toBeUndefined();
    expect(await reader.cache.ttl('k')).toBe(0); // PTTL (Redis's clock) minus the grace period
    expect(await reader.cache.getOrSet('k', () => ({ n: 2 }), { ttlSeconds: 60 })).toEqual({ n: 1 });
    await waitFor(async () => (await writer.cache.get<{ n: number }>('k'))?.n === 2, {
      timeoutMs: 5000,
      what: 'refreshed by the reader, seen by the writer',
    });
    expect(await metricValue(reader.registry, 'cache_lookups_total', { layer: 'l2', result: 'stale' })).toBe(
      1,
    );
  });

  it("freshness follows the entry's own fresh-until time, not the key's TTL in Redis", async () => {
    const { cache, root } = redis.newCache();
    const key = `${root}default:k`;
    const now = Date.now();
    // Written by a process whose clock was behind: already stale here, though Redis keeps it a minute.
    await redis.admin.set(
      key,
      JSON.stringify({ v: 1, g: 60_000, e: now - 1000, p: 1, d: 'old' }),
      'PX',
      60_000,
    );
    expect(await cache.getWithState('k')).toEqual({ value: 'old', stale: true });
    // Past its grace period by this clock: expired, a miss, and the loader runs.
    await redis.admin.set(key, JSON.stringify({ v: 1, g: 500, e: now - 1000, p: 1, d: 'old' }), 'PX', 60_000);
    expect(await cache.getWithState('k')).toBeUndefined();
    expect(await cache.getOrSet('k', () => 'loaded', { ttlSeconds: 60 })).toBe('loaded');
    // Written by a process whose clock was ahead: fresh until its own time says otherwise.
    await redis.admin.set(
      key,
      JSON.stringify({ v: 1, g: 0, e: now + 60_000, p: 1, d: 'ahead' }),
      'PX',
      60_000,
    );
    expect(await cache.get('k')).toBe('ahead');
  });

  it('entries written before they carried `e` are judged by PTTL, as before', async () => {
    const { cache, root } = redis.newCache();
    const key = `${root}default:legacy`;
    // The envelope of the previous version: fresh while PTTL > g.
    await redis.admin.set(
      key,
      JSON.stringify({ v: 1, g: 60_000, f: 200, d: { at: { $t: 'd', v: '2024-01-01T00:00:00.000Z' } } }),
      'PX',
      60_200,
    );
    await resetCommandStats(redis);
    expect(await cache.get('legacy')).toEqual({ at: new Date('2024-01-01T00:00:00.000Z') });
    expect((await readCalls()).evalsha).toBe(1); // GET + PTTL in one script
    await sleep(300);
    expect(await cache.getWithState('legacy')).toEqual({
      value: { at: new Date('2024-01-01T00:00:00.000Z') },
      stale: true,
    });
    // Rewritten by this version: plain GETs from then on.
    expect(await cache.getOrSet('legacy', () => 'new', { ttlSeconds: 60, softTimeoutMs: 5000 })).toBe('new');
    await resetCommandStats(redis);
    expect(await cache.get('legacy')).toBe('new');
    expect(await readCalls()).toEqual({ get: 1, mget: 0, evalsha: 0 });
  });
});
