// The cross-process guarantees with real OS processes (node child processes, one
// Cache each, on the run's Redis), not several Cache instances in one process.
import { startCpuLoad, uniquePrefix } from '@rnh/test-utils';
import { describe, expect, it } from 'vitest';
import { startChildCaches, type ChildCache, type ChildConfig } from './child-caches.js';
import { useTestRedis } from './helpers.js';

const redis = useTestRedis();

function config(l1: boolean): ChildConfig {
  return { target: redis.target, prefix: uniquePrefix('cache'), l1 };
}

// Starting Node processes under tsx is slow on a loaded machine: a generous test timeout.
describe('across real OS processes', { timeout: 60_000 }, () => {
  it('200 concurrent getOrSet calls on a cold key in 4 processes run the loader once', async () => {
    const settings = config(false);
    const children = await startChildCaches(4, settings, redis.cleanup);
    // Every child is connected; all start together a moment from now.
    const startAt = Date.now() + 200;
    const counterKey = 'loader-calls';
    const outcomes = await Promise.all(
      children.map((child) =>
        child.call('stampede', {
          key: 'cold',
          calls: 50,
          loaderMs: 100,
          counterKey,
          startAt,
        }),
      ),
    );
    const results = outcomes.flatMap((outcome) => outcome.results);
    expect(results).toHaveLength(200);
    expect(await redis.admin.get(`${settings.prefix}${counterKey}`)).toBe('1');
    expect(outcomes.reduce((sum, outcome) => sum + outcome.loaderCalls, 0)).toBe(1);
    // One load: every caller in every process has the very value it produced.
    for (const result of results) expect(result).toEqual(results[0]);
    expect(results[0]!.at).toBeInstanceOf(Date);
    expect(children.map((child) => child.pid)).toContain(results[0]!.loadedBy);
    console.info(
      'per process: lock waits',
      outcomes.map((outcome) => outcome.lockWaits),
      'coalesced',
      outcomes.map((outcome) => outcome.coalesced),
    );
  });

  // The race this guards against opens only when processes are starved: a holder loads and
  // releases within moments, and a process whose miss was read before that write takes the
  // lock after the release. It must find the value then, not load a second time.
  it('cold keys with an instant loader, 4 processes on a CPU-starved machine: one load per key', async () => {
    const settings = config(false);
    const children = await startChildCaches(4, settings, redis.cleanup);
    const load = startCpuLoad(2);
    try {
      const counterKey = 'loads-per-key';
      const keyCount = 10;
      let loads = 0;
      for (let round = 0; round < 5; round += 1) {
        const keys = Array.from({ length: keyCount }, (_, index) => `round${round}-key${index}`);
        const startAt = Date.now() + 200;
        const outcomes = await Promise.all(
          children.map((child, index) =>
            // Staggered by a few ms, so that one process's misses straddle another's loads.
            child.call('stampedeKeys', { keys, callsPerKey: 5, counterKey, startAt: startAt + index * 3 }),
          ),
        );
        loads += outcomes.reduce((sum, outcome) => sum + outcome.loaderCalls, 0);
      }
      const perKey = await redis.admin.hgetall(`${settings.prefix}${counterKey}`);
      expect(Object.keys(perKey)).toHaveLength(5 * keyCount);
      expect(Object.entries(perKey).filter(([, count]) => count !== '1')).toEqual([]);
      expect(loads).toBe(5 * keyCount);
    } finally {
      load.stop();
    }
  });

  // The L1 copies live 60 s and the reader waits at most 10 s for the drop: a drop it sees came
  // over the bus. How fast is printed, not asserted (a busy machine delays any process).
  it("a set or delete in one process drops the other process's L1 copy over the bus", async () => {
    const [writer, reader] = (await startChildCaches(2, config(true), redis.cleanup)) as [
      ChildCache,
      ChildCache,
    ];
    await writer.call('set', { key: 'k', value: 'v1' });
    await expectInL1(reader, 'k', 'v1');

    // Set, then delete: each must reach the reader's L1.
    for (const change of [
      { op: 'set' as const, value: 'v2', old: 'v1' },
      { op: 'delete' as const, value: undefined, old: 'v2' },
    ]) {
      await reader.call('watch', { key: 'k', value: change.old });
      const write =
        change.op === 'set'
          ? await writer.call('set', { key: 'k', value: change.value })
          : await writer.call('delete', { key: 'k' });
      const dropped = await reader.event('dropped');
      expect(dropped.value).toEqual(change.value);
      // Until the drop every poll was an L1 hit: the one Redis read is the one after it.
      expect(dropped.l2Reads).toBe(1);
      // Same machine, same clock. The drop cannot precede the write; it may precede the
      // writer seeing its PUBLISH answered (the reader can get the message first).
      expect(dropped.at).toBeGreaterThanOrEqual(write.startedAt);
      const latencyMs = dropped.at - write.publishedAt;
      console.info(
        `${change.op}: L1 copy dropped ${latencyMs} ms after the publish completed ` +
          `(${dropped.at - write.startedAt} ms after the write started)`,
      );
      if (change.op === 'set') await expectInL1(reader, 'k', 'v2');
    }
  });
});

/** Reads `key` in `child` until the read is an L1 hit (no Redis lookup) with `value`. */
async function expectInL1(child: ChildCache, key: string, value: unknown): Promise<void> {
  const first = await child.call('read', { key });
  expect(first.value).toEqual(value);
  const second = await child.call('read', { key });
  expect(second).toEqual({ value, l1Hits: first.l1Hits + 1, l2Lookups: first.l2Lookups });
}
