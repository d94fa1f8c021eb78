import { freePort, itOnStandalone, masterClients, memoryLogger, startRedisServer } from '@rnh/test-utils';
import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { checkEvictionPolicy } from '../src/index.js';
import { useQueueRedis } from './helpers.js';
import { mailQueue } from './jobs.js';

const redis = useQueueRedis();

const noop = async () => undefined;
const EVICTION_WARNING = /maxmemory-policy is "allkeys-lru", not "noeviction"/;

describe('start-up checks', () => {
  it('warns when Redis may evict queue keys (maxmemory-policy is not noeviction)', async () => {
    const setup = redis.setup();
    // On every master: a cluster's queue keys may live on any of them.
    const masters = masterClients(redis);
    await Promise.all(masters.map((master) => master.config('SET', 'maxmemory-policy', 'allkeys-lru')));
    redis.cleanup.push(async () => {
      await Promise.all(masters.map((master) => master.config('SET', 'maxmemory-policy', 'noeviction')));
    });

    await setup.worker(mailQueue(), { handlers: { welcome: noop, digest: noop, flaky: noop } });

    const warning = setup.log.lines().find((line) => EVICTION_WARNING.test(String(line.msg)));
    expect(warning).toMatchObject({ level: 40, maxmemoryPolicy: 'allkeys-lru' });
    const warned = setup.log.lines().filter((line) => EVICTION_WARNING.test(String(line.msg)));
    expect(warned).toHaveLength(masters.length); // one per master
  });

  it('says nothing with noeviction', async () => {
    const setup = redis.setup();
    const check = await checkEvictionPolicy(setup.connections.shared('commands'), setup.log.logger);
    // Every master is checked: one node, or each master of a cluster.
    expect(check).toMatchObject({
      ok: true,
      nodes: masterClients(redis).map(() => ({ policy: 'noeviction', source: 'config' })),
    });
    expect(setup.log.lines().filter((line) => Number(line.level) >= 40)).toEqual([]);
  });

  // Its own server, started with CONFIG disabled: the run's topology plays no part.
  itOnStandalone('reads the policy from INFO where CONFIG is disabled', async () => {
    const server = await startRedisServer({
      args: ['--rename-command', 'CONFIG ""', '--maxmemory-policy', 'allkeys-lru'],
    });
    const client = new Redis({ host: server.host, port: server.port });
    try {
      await expect(client.config('GET', 'maxmemory-policy')).rejects.toThrow(/unknown command/i);
      const log = memoryLogger();

      const check = await checkEvictionPolicy(client, log.logger);

      expect(check).toMatchObject({ ok: false, nodes: [{ policy: 'allkeys-lru', source: 'info' }] });
      expect(log.lines().some((line) => EVICTION_WARNING.test(String(line.msg)))).toBe(true);
    } finally {
      await client.quit();
      await server.destroy();
    }
  });

  // No Redis of the run's: a cluster client that never connects.
  itOnStandalone('does not pass a cluster whose masters it cannot list', async () => {
    const cluster = new Cluster([{ host: '127.0.0.1', port: await freePort() }], {
      lazyConnect: true,
      clusterRetryStrategy: () => null,
    });
    cluster.on('error', () => undefined);
    const log = memoryLogger();
    try {
      const check = await checkEvictionPolicy(cluster, log.logger, { connectTimeoutMs: 5000 });

      expect(check).toEqual({ ok: false, nodes: [] });
      expect(log.text()).toContain('could not read the Redis maxmemory-policy');
    } finally {
      cluster.disconnect();
    }
  });
});
