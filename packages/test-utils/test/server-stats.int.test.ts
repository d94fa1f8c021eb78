// commandCalls() counts what every master ran, on whichever topology the run uses
// (TEST_REDIS_TOPOLOGY=cluster pnpm exec vitest run test/server-stats for the Cluster). Imported by
// the package's name, as the suites using it do: the topology setup file sees this file's useRedis().
import { describe, expect, it } from 'vitest';
import { commandCalls, masterClients, uniquePrefix, useRedis } from '@rnh/test-utils';

const redis = useRedis();

describe('commandCalls', () => {
  it('sums INFO commandstats over every master: keys in all slots are all counted', async () => {
    expect(masterClients(redis)).toHaveLength(redis.topology === 'cluster' ? 3 : 1);
    // Enough keys that, on a Cluster, every master holds some.
    const keys = Array.from({ length: 30 }, (_, i) => `${uniquePrefix('stats')}{k${i}}`);
    const before = (await commandCalls(redis)).get('strlen') ?? 0;
    for (const key of keys) await redis.admin.strlen(key);
    const after = (await commandCalls(redis)).get('strlen') ?? 0;
    expect(after - before).toBe(keys.length);
  });
});
